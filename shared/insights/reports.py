"""The report catalogue: every detail list a run writes, with its title, minimum role and columns.

The API lists these at `GET /reports` (filtered by the caller's role) and streams one at
`GET /reports/{id}` as JSON or CSV, in the column order given here. Lists that name people need `admin`;
aggregate lists need `user`. No list carries a per-person productivity figure.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from shared.insights.models import Family

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

REPORTS: tuple[ReportSpec, ...] = (
    ReportSpec(
        id="reclaimable-licences",
        title="Reclaimable licences",
        description="Every licence assignment that could be reclaimed: held by a disabled account, by an "
        "account inactive beyond the organisation's threshold (blended activity), or made redundant by "
        "another licence of the same account.",
        family=Family.UTILISATION,
        min_role="admin",
        person_level=True,
        columns=(
            *_PERSON,
            _c("account_enabled", "boolean", "Whether the account can sign in"),
            _c("sku_id", "string", "The SKU id of the licence"),
            _c("sku_name", "string", "The licence's product name"),
            _c("reason", "string", "Main reason: disabled, inactive or redundant"),
            _c("reasons", "string", "All reasons, ';'-separated"),
            _c("redundant_with", "string", "The licence that makes this one redundant"),
            _c("last_activity", "date", "Newest sign-in or workload activity (blended)"),
            _c("days_inactive", "integer", "Days since the last activity (empty: never active)"),
            _c("monthly_cost", "number", "Monthly price of the licence, where configured"),
            _c("currency", "string", "Currency of the price"),
            _c("next_renewal", "date", "Next renewal date of the SKU's subscriptions"),
        ),
    ),
    ReportSpec(
        id="waste-risk",
        title="Licensed accounts that are also a security risk",
        description="Waste joined with risk: licensed accounts that are inactive administrators, "
        "administrators or users without MFA, stale guests, or disabled role holders, with their cost.",
        family=Family.ASSURANCE,
        min_role="admin",
        person_level=True,
        columns=(
            *_PERSON,
            _c("account_enabled", "boolean", "Whether the account can sign in"),
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
            _c("priority", "number", "Risks × monthly cost (risks alone when no price is set)"),
        ),
    ),
    ReportSpec(
        id="assurance-findings",
        title="Assurance findings by account",
        description="The accounts behind each failing or warning assurance check.",
        family=Family.ASSURANCE,
        min_role="admin",
        person_level=True,
        columns=(
            _c("check_id", "string", "The assurance check"),
            _c("baseline", "string", "Its baseline reference (CISA SCuBA), if any"),
            *_PERSON,
            _c("detail", "string", "What was found for this account"),
        ),
    ),
    ReportSpec(
        id="sku-utilisation",
        title="Licence utilisation by SKU",
        description="Seats purchased, assigned, active, inactive, disabled, redundant and reclaimable per "
        "SKU, with the monthly waste where a price is configured.",
        family=Family.UTILISATION,
        min_role="user",
        person_level=False,
        columns=(
            _c("sku_id", "string", "SKU id"),
            _c("sku_part_number", "string", "SKU part number"),
            _c("name", "string", "Product name"),
            _c("free", "boolean", "A no-cost SKU, kept out of totals"),
            _c("purchased", "integer", "prepaidUnits.enabled + warning"),
            _c("assigned", "integer", "consumedUnits"),
            _c("unassigned", "integer", "Purchased seats not assigned"),
            _c("active", "integer", "Enabled holders active within the threshold"),
            _c("inactive", "integer", "Enabled holders inactive beyond the threshold"),
            _c("disabled", "integer", "Holders whose account is disabled"),
            _c("redundant", "integer", "Assignments made redundant by another licence"),
            _c("reclaimable", "integer", "Distinct reclaimable assignments"),
            _c("utilisation_pct", "number", "active / purchased × 100"),
            _c("monthly_price", "number", "Configured monthly price"),
            _c("monthly_waste", "number", "(reclaimable + unassigned) × price"),
            _c("currency", "string", "Currency"),
        ),
    ),
    ReportSpec(
        id="renewal-reclaim",
        title="Reclaim before renewal",
        description="Seats that can be given back before each subscription's next renewal, and the saving.",
        family=Family.UTILISATION,
        min_role="user",
        person_level=False,
        columns=(
            _c("subscription_id", "string", "Directory subscription id"),
            _c("sku_id", "string", "SKU id"),
            _c("name", "string", "Product name"),
            _c("renewal_date", "date", "nextLifecycleDateTime"),
            _c("days_to_renewal", "integer", "Days from as_of to the renewal"),
            _c("is_trial", "boolean", "A trial subscription"),
            _c("seats", "integer", "Seats in the subscription"),
            _c("reclaimable_seats", "integer", "Unassigned + reclaimable seats allotted to it"),
            _c("monthly_saving", "number", "reclaimable_seats × monthly price"),
            _c("term_saving", "number", "monthly_saving × 12"),
            _c("currency", "string", "Currency"),
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
_ROLE_RANK = {"user": 1, "admin": 2, "super_admin": 3}


def report_catalogue(role: str | None = None) -> list[ReportSpec]:
    """Every report, or those a member with `role` may read (`user`, `admin`, `super_admin`)."""
    if role is None:
        return list(REPORTS)
    rank = _ROLE_RANK.get(role, 0)
    return [spec for spec in REPORTS if _ROLE_RANK[spec.min_role] <= rank]


def report_spec(report_id: str) -> ReportSpec | None:
    return REPORTS_BY_ID.get(report_id)
