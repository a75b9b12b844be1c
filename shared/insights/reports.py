"""The report catalogue: every detail list a run writes, with its title, minimum role and columns.

The API lists these at `GET /reports` (filtered by the caller's role) and streams one at
`GET /reports/{id}` as JSON or CSV, in the column order given here. Lists that name people need `admin`;
aggregate lists need `user`. No list carries a per-person productivity figure.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from shared.insights.models import Family
from shared.roles import Role as MemberRole
from shared.roles import rank

Role = Literal["user", "admin"]


class Column(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    type: Literal["string", "integer", "number", "boolean", "date"]
    description: str


class ReportSpec(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    title: str
    description: str
    family: Family
    min_role: Role
    person_level: bool
    columns: tuple[Column, ...]

    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


def _c(name: str, type_: str, description: str) -> Column:
    return Column.model_validate({"name": name, "type": type_, "description": description})


_PERSON = (
    _c("user_principal_name", "string", "The account's user principal name"),
    _c("display_name", "string", "The account's display name"),
    _c("group", "string", "Reporting group (department, or its mapped group)"),
)
# Last, so the CSV's earlier columns keep their places; the savings ledger matches accounts by it.
_USER_ID = _c("user_id", "string", "The account's directory object id, which a rename keeps")

REPORTS: tuple[ReportSpec, ...] = (
    ReportSpec(
        id="reclaimable-licences",
        title="Reclaimable licences",
        description="Every licence of a paid SKU that could be reclaimed — held by a disabled account, made "
        "redundant by another licence of the same account, held by an account inactive beyond the "
        "organisation's threshold, or a Microsoft 365 Copilot licence its active holder has not used in "
        "that time — and one row per SKU for its unassigned seats. Most money first; the "
        "monthly costs add up to the monthly waste.",
        family=Family.UTILISATION,
        min_role="admin",
        person_level=True,
        columns=(
            *_PERSON,
            _c("account_enabled", "boolean", "Whether the account can sign in (empty: unassigned seats)"),
            _c("sku_id", "string", "The SKU id of the licence"),
            _c("sku_name", "string", "The licence's product name"),
            _c(
                "reason",
                "string",
                "Main reason: disabled, redundant, inactive, copilot_inactive or unassigned",
            ),
            _c("reasons", "string", "All reasons, ';'-separated"),
            _c("redundant_with", "string", "The licence that makes this one redundant"),
            _c(
                "last_activity",
                "date",
                "Newest successful sign-in or workload activity (copilot_inactive: the newest Copilot use)",
            ),
            _c("days_inactive", "integer", "Days since the last activity, each source on its own clock"),
            _c("seats", "integer", "Seats: 1 for a licence, the count for unassigned seats"),
            _c("monthly_cost", "number", "seats × monthly price (0 for trial seats; empty without a price)"),
            _c("currency", "string", "Currency of the price"),
            _c("next_renewal", "date", "Next renewal of the SKU's paid subscriptions"),
            _c(
                "assignment",
                "string",
                "How the licence reached the account: direct, group (inherited) or direct and group",
            ),
            _c("group_ids", "string", "Groups the licence is inherited from, ';'-separated ids"),
            _c("group_names", "string", "Their display names, ';'-separated"),
            _c("action", "string", "What to do (for an inherited licence: leave the group)"),
            _USER_ID,
        ),
    ),
    ReportSpec(
        id="rightsizing-recommendations",
        title="Right-sizing recommendations",
        description="Licences whose holder's last 90 days of usage fit a cheaper licence, one row per "
        "account and licence, each with the named rule, its evidence and the monthly saving at the "
        "organisation's prices; most money first. Licences already listed as reclaimable are not here.",
        family=Family.UTILISATION,
        min_role="admin",
        person_level=True,
        columns=(
            *_PERSON,
            _c("sku_id", "string", "The SKU id of the licence held"),
            _c("sku_name", "string", "The licence held"),
            _c("rule", "string", "The rule: mail_only, web_mobile_only or e5_features_unseen"),
            _c("evidence", "string", "What the rule saw, in plain words"),
            _c("to_sku_id", "string", "The SKU id of the recommended licence"),
            _c("to_sku_name", "string", "The recommended licence"),
            _c("days_since_mail", "integer", "Days since the last mail activity (empty: none)"),
            _c("days_since_other", "integer", "Days since the last other workload or apps activity"),
            _c("monthly_price", "number", "Configured monthly price of the licence held"),
            _c("to_monthly_price", "number", "Configured monthly price of the recommended licence"),
            _c("monthly_saving", "number", "monthly_price − to_monthly_price"),
            _c("currency", "string", "Currency of the prices"),
            _c("action", "string", "What to do"),
            _USER_ID,
        ),
    ),
    ReportSpec(
        id="realised-savings",
        title="Savings realised since the previous run",
        description="What the previous published run listed as reclaimable or right-sizable and this run "
        "found done: licences no longer held, licences replaced by the recommended one, and unassigned "
        "seats dropped at a renewal, each with the monthly amount the previous run listed.",
        family=Family.UTILISATION,
        min_role="admin",
        person_level=True,
        columns=(
            _c("kind", "string", "reclaimed, rightsized or seats_dropped"),
            _c("realised_on", "date", "The day of the run that found it done"),
            _c("listed_on", "date", "The day of the run that listed it"),
            _c("user_principal_name", "string", "The account (empty for seats)"),
            _c("display_name", "string", "The account's display name"),
            _c("sku_id", "string", "The SKU id of the licence or seats"),
            _c("sku_name", "string", "The licence's product name"),
            _c("to_sku_id", "string", "rightsized: the recommended SKU id"),
            _c(
                "reason",
                "string",
                "Why it was listed (reclaimed), replaced or removed (rightsized), "
                "the seat counts (seats_dropped)",
            ),
            _c("seats", "integer", "Seats: 1 for a licence, the seats dropped"),
            _c("monthly_amount", "number", "The monthly amount realised, as listed"),
            _c("currency", "string", "Currency of the amount"),
            _USER_ID,
        ),
    ),
    ReportSpec(
        id="waste-risk",
        title="Licensed accounts that are also a security risk",
        description="Waste joined with risk: licensed accounts that are inactive administrators, "
        "administrators or users without MFA, stale guests, or disabled role holders, with their cost; "
        "riskiest first (severity, Global Administrators first, number of risks, then cost).",
        family=Family.ASSURANCE,
        min_role="admin",
        person_level=True,
        columns=(
            *_PERSON,
            _c("account_enabled", "boolean", "Whether the account can sign in"),
            _c("severity", "string", "high (an administrator without MFA or unused) or medium"),
            _c(
                "risks",
                "string",
                "';'-separated: inactive_admin, admin_without_mfa, no_mfa, stale_guest, disabled_role_holder",
            ),
            _c("roles", "string", "Directory roles held, ';'-separated"),
            _c("licences", "string", "Licences held, ';'-separated"),
            _c("last_activity", "date", "Newest sign-in or workload activity (blended)"),
            _c("mfa_registered", "boolean", "Whether an MFA method is registered (empty: unknown)"),
            _c("monthly_cost", "number", "Monthly price of the licences held, where configured"),
            _c("currency", "string", "Currency of the cost"),
        ),
    ),
    ReportSpec(
        id="assurance-findings",
        title="Assurance findings by account",
        description="The accounts behind each failing or warning assurance check, high-severity checks "
        "first; each check lists exactly the accounts its evidence counts.",
        family=Family.ASSURANCE,
        min_role="admin",
        person_level=True,
        columns=(
            _c("check_id", "string", "The assurance check"),
            _c("severity", "string", "The check's severity"),
            _c("baseline", "string", "Its baseline reference (CISA SCuBA), if any"),
            *_PERSON,
            _c("detail", "string", "What was found for this account"),
            _c("subject_id", "string", "The account's directory object id (what a risk acceptance names)"),
            _c("status", "string", "open, or accepted (a risk acceptance covers it)"),
            _c("acceptance_id", "string", "The risk acceptance that covers it, if any"),
        ),
    ),
    ReportSpec(
        id="assurance-changes",
        title="Assurance changes since the previous run",
        description="Checks whose status changed and findings that are new or resolved since the previous "
        "published run, with who made the change and when where the directory audit log says so.",
        family=Family.ASSURANCE,
        min_role="admin",
        person_level=True,
        columns=(
            _c("kind", "string", "check (its status changed) or finding (an account's)"),
            _c("change", "string", "status, new or resolved"),
            _c("check_id", "string", "The assurance check"),
            _c("severity", "string", "The check's severity"),
            _c("before", "string", "The check's status in the previous run (checks only)"),
            _c("after", "string", "Its status in this run (checks only)"),
            _c("subject_id", "string", "The finding's directory object id (findings only)"),
            *_PERSON,
            _c("detail", "string", "What was found for this account (findings only)"),
            _c("changed_by", "string", "Who made the change, from the directory audit log"),
            _c("changed_at", "date", "When, from the directory audit log"),
            _c("activity", "string", "The audit log's activity and its targets"),
        ),
    ),
    ReportSpec(
        id="sku-utilisation",
        title="Licence utilisation by SKU",
        description="Seats purchased, assigned, active, inactive, disabled, redundant and reclaimable per "
        "paid SKU (free SKUs are left out), with the monthly waste where a price is configured; the rows add "
        "up to the utilisation totals.",
        family=Family.UTILISATION,
        min_role="user",
        person_level=False,
        columns=(
            _c("sku_id", "string", "SKU id"),
            _c("sku_part_number", "string", "SKU part number"),
            _c("name", "string", "Product name"),
            _c("usage_signal", "string", "activity, or none for an add-on Graph shows no usage of"),
            _c(
                "capability_status", "string", "subscribedSku capabilityStatus: Enabled, Warning, Suspended …"
            ),
            _c("purchased", "integer", "Usable seats: prepaidUnits.enabled + warning"),
            _c("assigned", "integer", "consumedUnits"),
            _c("unassigned", "integer", "Purchased seats not assigned"),
            _c(
                "over_assigned",
                "integer",
                "Licences beyond the usable seats: they give no access, cost nothing",
            ),
            _c("trial_seats", "integer", "Seats of live trial subscriptions (free until the trial ends)"),
            _c("active", "integer", "Enabled holders active within the threshold"),
            _c("inactive", "integer", "Enabled holders inactive beyond the threshold"),
            _c("no_signal", "integer", "Active holders of an add-on without a usage signal"),
            _c("disabled", "integer", "Holders whose account is disabled"),
            _c("redundant", "integer", "Assignments made redundant by another licence"),
            _c("reclaimable", "integer", "Distinct reclaimable assignments"),
            _c("waste_seats", "integer", "max(reclaimable + unassigned − trial_seats − over_assigned, 0)"),
            _c(
                "utilisation_pct",
                "number",
                "min(active, purchased) / purchased × 100 (empty without a usage signal)",
            ),
            _c("monthly_price", "number", "Configured monthly price"),
            _c("monthly_waste", "number", "waste_seats × price"),
            _c("currency", "string", "Currency"),
        ),
    ),
    ReportSpec(
        id="renewal-reclaim",
        title="Subscriptions' next events: renewals, expiries, trial ends",
        description="Each live subscription's next lifecycle event, soonest first: a renewal with the seats "
        "to give back and the saving, an expired (Warning) subscription with the date its seats lapse, or "
        "the end of a trial (no saving: trial seats cost nothing).",
        family=Family.UTILISATION,
        min_role="user",
        person_level=False,
        columns=(
            _c("subscription_id", "string", "Directory subscription id"),
            _c("sku_id", "string", "SKU id"),
            _c("name", "string", "Product name"),
            _c("status", "string", "companySubscription status: Enabled or Warning"),
            _c("event", "string", "renewal, expiry (Warning: its seats lapse) or trial_end"),
            _c("event_date", "date", "nextLifecycleDateTime"),
            _c("days_to_event", "integer", "Days from as_of to the event"),
            _c("is_trial", "boolean", "A trial subscription"),
            _c("seats", "integer", "Seats in the subscription"),
            _c("reclaimable_seats", "integer", "Renewals: waste seats allotted to it"),
            _c("monthly_saving", "number", "reclaimable_seats × monthly price"),
            _c("term_saving", "number", "monthly_saving × 12"),
            _c("currency", "string", "Currency"),
            _c("action", "string", "What to do before the date"),
        ),
    ),
    ReportSpec(
        id="adoption-by-group",
        title="Adoption by group",
        description="Licensed and 30-day active users per workload and group; groups under 5 people are "
        "suppressed.",
        family=Family.ADOPTION,
        min_role="user",
        person_level=False,
        columns=(
            _c("group", "string", "Reporting group"),
            _c("people", "integer", "Accounts in the group"),
            _c("suppressed", "boolean", "Fewer than 5 people: no figures"),
            _c("workload", "string", "Workload"),
            _c("licensed", "integer", "Licensed for the workload"),
            _c("active_30", "integer", "Active in the last 30 days"),
            _c("adoption_pct", "number", "active_30 / licensed × 100"),
        ),
    ),
    ReportSpec(
        id="productivity-by-group",
        title="Productivity by group",
        description="Median and p90 per active user per report period, by group; groups under 5 active "
        "users are suppressed.",
        family=Family.PRODUCTIVITY,
        min_role="user",
        person_level=False,
        columns=(
            _c("group", "string", "Reporting group"),
            _c("active_users", "integer", "Active users in the group"),
            _c("suppressed", "boolean", "Fewer than 5 active users: no figures"),
            _c("metric", "string", "Metric id"),
            _c("median", "number", "Median per active user"),
            _c("p90", "number", "90th percentile per active user (nearest rank)"),
        ),
    ),
)
REPORTS_BY_ID = {spec.id: spec for spec in REPORTS}


def report_catalogue(role: MemberRole | None = None) -> list[ReportSpec]:
    """Every report, or those a member with `role` may read (the members' own ranking of roles)."""
    if role is None:
        return list(REPORTS)
    return [spec for spec in REPORTS if rank(spec.min_role) <= rank(role)]


def report_spec(report_id: str) -> ReportSpec | None:
    return REPORTS_BY_ID.get(report_id)
