"""The compute step: one streaming pass over a run's raw snapshot → the four families and the detail lists.

Datasets are read one after another as streams of typed records. Small datasets (SKUs, subscriptions,
policies, scores) are kept whole; per-account facts go into the compact `AccountTable`; report rows are
folded into counters and value columns as they pass. Nothing here touches storage except through the
`BlobStore` it is given, and nothing reads the wall clock: `now` is injected.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from fractions import Fraction
from typing import Any

from shared.insights.accounts import (
    ENABLED,
    GUEST,
    MFA_KNOWN,
    MFA_REGISTERED,
    SYNCED,
    AccountTable,
    iso,
    ordinal,
)
from shared.insights.adoption import WORKLOADS, AdoptionAccumulator
from shared.insights.assurance import (
    AssuranceFacts,
    CaPolicy,
    posture,
    run_checks,
    secure_score_summary,
)
from shared.insights.details import detail_lists
from shared.insights.models import (
    AdoptionSummary,
    AssuranceSummary,
    DataSource,
    Family,
    InsightWarning,
    Payload,
    ProductivitySummary,
    ScorePoint,
    UtilisationSummary,
)
from shared.insights.productivity import ProductivityAccumulator
from shared.insights.rounding import exact, money
from shared.insights.snapshot_reader import SnapshotReader
from shared.insights.source import BlobStore
from shared.insights.utilisation import ActivityBasis, PriceInfo, Utilisation, merged_catalogue
from shared.licensing import Catalogue, load_catalogue
from shared.snapshot import Dataset
from shared.snapshot import records as r
from shared.snapshot.roles import (
    GLOBAL_ADMINISTRATOR,
    HIGHLY_PRIVILEGED_ROLES,
    PRIVILEGED_ROLES,
    ROLE_GROUPS_NOT_EXPANDED,
    role_name,
)

log = logging.getLogger(__name__)

STALE_DAYS = 90
NO_DEPARTMENT = "(no department)"  # accounts without one are a counted group like any other
CONCEALED_NAME = re.compile(r"[0-9A-F]{32}")
CONCEAL_HELP = (
    "The tenant's usage reports conceal user names, so per-person joins were skipped: activity comes from "
    "sign-ins only, and adoption and productivity by group are not available (organisation-wide figures "
    "are still computed). To fix it, in the Microsoft 365 admin centre go to Settings › Org settings › "
    "Services › Reports and clear 'Display concealed user, group and site names in all reports'; it takes "
    "effect at the next report refresh (up to 48 hours)."
)
DETAIL_REPORTS = (
    Dataset.ACTIVE_USER_DETAIL,
    Dataset.EMAIL_ACTIVITY_USER_DETAIL,
    Dataset.TEAMS_USER_ACTIVITY_USER_DETAIL,
    Dataset.ONEDRIVE_USAGE_ACCOUNT_DETAIL,
    Dataset.SHAREPOINT_ACTIVITY_USER_DETAIL,
    Dataset.M365_APP_USER_DETAIL,
)
FAMILY_DATASETS: dict[Family, tuple[Dataset, ...]] = {
    Family.UTILISATION: (
        Dataset.USERS,
        Dataset.GROUPS,
        Dataset.SIGN_IN_ACTIVITY,
        Dataset.SUBSCRIBED_SKUS,
        Dataset.SUBSCRIPTIONS,
        *DETAIL_REPORTS,
    ),
    Family.ADOPTION: (
        Dataset.USERS,
        Dataset.ACTIVE_USER_DETAIL,
        Dataset.M365_APP_USER_DETAIL,
        Dataset.ACTIVE_USER_COUNTS,
    ),
    Family.PRODUCTIVITY: (
        Dataset.USERS,
        Dataset.EMAIL_ACTIVITY_USER_DETAIL,
        Dataset.TEAMS_USER_ACTIVITY_USER_DETAIL,
        Dataset.ONEDRIVE_USAGE_ACCOUNT_DETAIL,
        Dataset.SHAREPOINT_ACTIVITY_USER_DETAIL,
    ),
    Family.ASSURANCE: (
        Dataset.USERS,
        Dataset.SIGN_IN_ACTIVITY,
        Dataset.REGISTRATION_DETAILS,
        Dataset.ROLE_ASSIGNMENTS,
        Dataset.CONDITIONAL_ACCESS_POLICIES,
        Dataset.SECURE_SCORES,
        *DETAIL_REPORTS,
    ),
}


@dataclass(frozen=True)
class ComputeSettings:
    """The organisation's metadata that shapes a computation (prices keyed by lower-case SKU id)."""

    prices: Mapping[str, PriceInfo] = field(default_factory=dict)
    groups: Mapping[str, str] = field(default_factory=dict)  # department → reporting group
    threshold_days: int = 30

    def group_of(self, department: str | None) -> str:
        """The reporting group: the department's mapped group, the department, or `NO_DEPARTMENT`."""
        if not department or not department.strip():
            return NO_DEPARTMENT
        return self.groups.get(department, department)


RowSource = Callable[[], Iterator[dict[str, Any]]]


@dataclass
class ComputedRun:
    run_id: str
    as_of: date
    collected_at: datetime
    computed_at: datetime
    payloads: dict[Family, Payload]
    trend: dict[Family, dict[str, float | None]]
    warnings: list[InsightWarning]
    lists: dict[str, RowSource]  # detail list id → rows (generated lazily from the in-memory state)


class _Roles:
    """Privileged role holders: principal id → role ids, how each role is held (directly or through which
    role-assignable groups), plus the principal facts for those not in `/users`."""

    def __init__(self) -> None:
        self.by_principal: dict[str, set[str]] = {}
        self.direct: set[tuple[str, str]] = set()  # (principal, role) assigned to the person
        self.via: dict[tuple[str, str], set[str]] = {}  # (principal, role) → names of groups it comes through
        self.synced: set[str] = set()

    def add(self, row: r.RoleAssignment) -> None:
        role = row.role_definition_id.lower()
        if row.principal_type.lower() != "user" or role not in PRIVILEGED_ROLES:
            # A group's own row is followed by one row per member; service principals are not people.
            return
        key = row.principal_id.lower()
        self.by_principal.setdefault(key, set()).add(role)
        if row.via_group_id:
            self.via.setdefault((key, role), set()).add(row.via_group_name or row.via_group_id)
        else:
            self.direct.add((key, role))
        if row.principal_on_premises_sync_enabled:
            self.synced.add(key)

    def describe(self, principal: str) -> str:
        """The roles a person holds, ';'-separated, each saying which group it comes through if any:
        "Helpdesk Administrator (via group Helpdesk team)"."""
        named = []
        for role in self.by_principal.get(principal, ()):
            groups = sorted(self.via.get((principal, role), ()))
            if not groups:
                named.append(role_name(role))
                continue
            direct = "directly and " if (principal, role) in self.direct else ""
            named.append(f"{role_name(role)} ({direct}via group {', '.join(groups)})")
        return ";".join(sorted(named))


def compute(
    store: BlobStore,
    *,
    as_of: date,
    run_id: str,
    settings: ComputeSettings,
    now: datetime,
    catalogue: Catalogue | None = None,
) -> ComputedRun:
    return _Computation(
        store, as_of=as_of, run_id=run_id, settings=settings, now=now, catalogue=catalogue or load_catalogue()
    ).run()


class _Computation:
    def __init__(
        self,
        store: BlobStore,
        *,
        as_of: date,
        run_id: str,
        settings: ComputeSettings,
        now: datetime,
        catalogue: Catalogue,
    ) -> None:
        self.reader = SnapshotReader(store, as_of, run_id)
        self.as_of = as_of
        self.run_id = run_id
        self.settings = settings
        self.now = now
        self.reference = as_of.toordinal()
        self.table = AccountTable(settings.group_of)
        self.catalogue = catalogue
        self.roles = _Roles()
        self.group_names: dict[str, str] = {}  # licensing group id → display name
        self.unmatched_registered: dict[str, bool] = {}  # role holders missing from /users
        self.registration_rows = 0
        self.registered_rows = 0
        self.report_rows = 0
        self.concealed_rows = 0
        self.joined_rows = 0
        self.concealed_setting = False
        self.adoption = AdoptionAccumulator()
        self.productivity = ProductivityAccumulator()

    # -- reading ------------------------------------------------------------------------------------------

    def run(self) -> ComputedRun:
        rd = self.reader
        for settings_row in rd.records(Dataset.REPORT_SETTINGS, r.ReportSettings):
            self.concealed_setting = settings_row.display_concealed_names
        skus = list(rd.records(Dataset.SUBSCRIBED_SKUS, r.SubscribedSku))
        subscriptions = list(rd.records(Dataset.SUBSCRIPTIONS, r.Subscription))
        self.catalogue = merged_catalogue(self.catalogue, skus)
        for user in rd.records(Dataset.USERS, r.User):
            self.table.add(user)
        licensing_groups = self.table.licensing_groups()
        for group in rd.records(Dataset.GROUPS, r.Group):
            if group.id.lower() in licensing_groups and group.display_name:
                self.group_names[group.id.lower()] = group.display_name
        self._sign_ins()
        for assignment in rd.records(Dataset.ROLE_ASSIGNMENTS, r.RoleAssignment):
            self.roles.add(assignment)
        self._registration()
        policies = tuple(
            CaPolicy(
                state=p.state,
                include_users=tuple(p.include_users),
                exclude_users=tuple(p.exclude_users),
                include_applications=tuple(p.include_applications),
                client_app_types=tuple(p.client_app_types),
                built_in_controls=tuple(p.built_in_controls),
            )
            for p in rd.records(Dataset.CONDITIONAL_ACCESS_POLICIES, r.ConditionalAccessPolicy)
        )
        scores = sorted(
            (
                ScorePoint(day=s.created_date_time.date(), current=s.current_score, maximum=s.max_score)
                for s in rd.records(Dataset.SECURE_SCORES, r.SecureScore)
            ),
            key=lambda p: p.day,
            reverse=True,
        )
        self._reports()
        for counts in rd.records(Dataset.ACTIVE_USER_COUNTS, r.ActiveUserCounts):
            rd.note_refresh(Dataset.ACTIVE_USER_COUNTS, counts.report_refresh_date)
            self.adoption.add_counts(counts)
        return self._finish(skus, subscriptions, policies, tuple(scores))

    def _sign_ins(self) -> None:
        t = self.table
        for row in self.reader.records(Dataset.SIGN_IN_ACTIVITY, r.SignInActivity):
            index = t.by_id.get(row.id.lower())
            if index is not None:
                # lastSuccessfulSignInDateTime is the last *successful* sign-in, interactive or not;
                # lastNonInteractiveSignInDateTime is the last attempt, successful or not, so it never
                # counts (learn.microsoft.com/graph/api/resources/signinactivity).
                t.signin[index] = ordinal(row.last_successful_sign_in)

    def _registration(self) -> None:
        t = self.table
        for row in self.reader.records(Dataset.REGISTRATION_DETAILS, r.RegistrationDetail):
            self.registration_rows += 1
            self.registered_rows += row.is_mfa_registered
            key = row.id.lower()
            index = t.by_id.get(key)
            if index is None:
                if key in self.roles.by_principal:
                    self.unmatched_registered[key] = row.is_mfa_registered
                continue
            t.set_flag(index, MFA_KNOWN | (MFA_REGISTERED if row.is_mfa_registered else 0))

    @property
    def concealed(self) -> bool:
        return self.concealed_setting or (self.report_rows > 0 and self.concealed_rows * 2 > self.report_rows)

    def _join(self, upn: str) -> int:
        self.report_rows += 1
        if CONCEALED_NAME.fullmatch(upn):
            self.concealed_rows += 1
            return -1
        if self.concealed_setting:
            return -1
        index = self.table.by_upn.get(upn.lower(), -1)
        self.joined_rows += index >= 0
        return index

    def _reports(self) -> None:
        rd, t, prod = self.reader, self.table, self.productivity

        def group(index: int) -> int:
            return t.group[index] if index >= 0 else -1

        def days(refresh: date, last: date | None) -> int | None:
            return None if last is None else refresh.toordinal() - last.toordinal()

        def behind(refresh: date) -> int:
            """Days the report's refresh date lies behind as_of (its activity is moved by as much)."""
            return self.reference - refresh.toordinal()

        for row in rd.records(Dataset.ACTIVE_USER_DETAIL, r.ActiveUserDetail):
            if row.is_deleted:
                continue
            rd.note_refresh(Dataset.ACTIVE_USER_DETAIL, row.report_refresh_date)
            index = self._join(row.user_principal_name)
            self.adoption.add_active_user(row, group(index))
            if index >= 0:
                for last in (
                    row.exchange_last_activity_date,
                    row.onedrive_last_activity_date,
                    row.sharepoint_last_activity_date,
                    row.skype_for_business_last_activity_date,
                    row.yammer_last_activity_date,
                    row.teams_last_activity_date,
                ):
                    t.note_workload(index, ordinal(last), behind(row.report_refresh_date))
        for apps in rd.records(Dataset.M365_APP_USER_DETAIL, r.M365AppUserDetail):
            rd.note_refresh(Dataset.M365_APP_USER_DETAIL, apps.report_refresh_date)
            index = self._join(apps.user_principal_name)
            self.adoption.add_apps(apps, group(index))
            if index >= 0:
                t.note_workload(index, ordinal(apps.last_activity_date), behind(apps.report_refresh_date))
        usage: tuple[tuple[Dataset, type[r.ReportRow], str], ...] = (
            (Dataset.EMAIL_ACTIVITY_USER_DETAIL, r.EmailActivityUserDetail, "email"),
            (Dataset.TEAMS_USER_ACTIVITY_USER_DETAIL, r.TeamsUserActivityUserDetail, "teams"),
            (Dataset.SHAREPOINT_ACTIVITY_USER_DETAIL, r.SharePointActivityUserDetail, "sharepoint"),
            (Dataset.ONEDRIVE_USAGE_ACCOUNT_DETAIL, r.OneDriveUsageAccountDetail, "onedrive"),
        )
        for dataset, model, source in usage:
            for record in rd.records(dataset, model):
                usage_row: Any = record  # each has is_deleted, last_activity_date and report_period
                if usage_row.is_deleted:
                    continue
                rd.note_refresh(dataset, usage_row.report_refresh_date)
                upn = (
                    usage_row.owner_principal_name if source == "onedrive" else usage_row.user_principal_name
                )
                index = self._join(upn)
                if index >= 0:
                    t.note_workload(
                        index, ordinal(usage_row.last_activity_date), behind(usage_row.report_refresh_date)
                    )
                lag = days(usage_row.report_refresh_date, usage_row.last_activity_date)
                prod.add(source, usage_row, usage_row.report_period, lag, group(index))

    # -- computing ----------------------------------------------------------------------------------------

    def _basis(self) -> ActivityBasis:
        sign_in = self.reader.available(Dataset.SIGN_IN_ACTIVITY)
        reports = not self.concealed and self.joined_rows > 0
        if sign_in and reports:
            return "blended"
        return "sign_in" if sign_in else "reports" if reports else "none"

    def _warnings(self) -> dict[Dataset, InsightWarning]:
        found: dict[Dataset, InsightWarning] = {}
        for dataset in Dataset:
            status = self.reader.status(dataset)
            entry = self.reader.entry(dataset)
            if dataset is Dataset.ROLE_ASSIGNMENTS and entry and ROLE_GROUPS_NOT_EXPANDED in entry.warnings:
                found[dataset] = InsightWarning(
                    code=ROLE_GROUPS_NOT_EXPANDED,
                    message="Roles held through role-assignable groups were not expanded to the groups' "
                    "members, so those members are not counted as role holders. Grant the app the "
                    "GroupMember.Read.All permission.",
                )
            if status == "complete":
                continue
            detail = f" ({entry.error})" if entry is not None and entry.error else ""
            if dataset is Dataset.SIGN_IN_ACTIVITY:
                found[dataset] = InsightWarning(
                    code="signin_activity_unavailable",
                    message="Sign-in activity was not collected" + detail + "; activity comes from the usage "
                    "reports only and stale-account checks are not applicable. It needs Microsoft Entra ID "
                    "P1 or P2 and the AuditLog.Read.All permission.",
                )
            elif status == "failed":
                found[dataset] = InsightWarning(
                    code=f"dataset_failed:{dataset.value}",
                    message=f"Collecting {dataset.value} failed in this run{detail}; figures that use it are "
                    "missing or partial.",
                )
            else:
                found[dataset] = InsightWarning(
                    code=f"dataset_{status}:{dataset.value}",
                    message=f"{dataset.value} is {status} for this tenant{detail}; figures that use it are "
                    "missing.",
                )
        return found

    def _facts(self, utilisation: Utilisation, statuses: dict[str, str]) -> AssuranceFacts:
        t = self.table
        n: dict[str, int] = dict.fromkeys(
            (
                "enabled",
                "enabled_members",
                "mfa_enabled_members",
                "stale_enabled",
                "guests_enabled",
                "guests_stale",
                "guests_stale_licensed",
                "licensed_enabled",
                "licensed_without_mfa",
            ),
            0,
        )
        currencies = {p.currency for p in self.settings.prices.values()}
        currency = next(iter(currencies)) if len(currencies) == 1 else None
        cost: dict[str, Fraction | int] = {"admins": 0, "guests": 0}

        def monthly(index: int) -> Fraction | int:
            costs = (utilisation.unit_cost(sku) for sku, _ in t.licences(index))
            return sum(exact(c.monthly) for c in costs if c is not None)

        registration = statuses.get(Dataset.REGISTRATION_DETAILS.value) == "complete"
        for i in range(len(t)):
            flags = t.flags[i]
            if not flags & ENABLED:
                continue
            n["enabled"] += 1
            n["stale_enabled"] += self.stale(i)
            licensed = t.combo[i] >= 0
            if flags & GUEST:
                n["guests_enabled"] += 1
                guest_stale = self.stale_guest(i)
                n["guests_stale"] += guest_stale
                if guest_stale and licensed:
                    n["guests_stale_licensed"] += 1
                    cost["guests"] += monthly(i)
            else:
                n["enabled_members"] += 1
                n["mfa_enabled_members"] += bool(flags & MFA_REGISTERED)
            if licensed:
                n["licensed_enabled"] += 1
                n["licensed_without_mfa"] += registration and not flags & MFA_REGISTERED
        admins = global_admins = privileged_without_ga = synced = without_mfa = inactive_admins = 0
        for principal, roles in self.roles.by_principal.items():
            admins += 1
            is_ga = GLOBAL_ADMINISTRATOR in roles
            global_admins += is_ga
            privileged_without_ga += (not is_ga) and bool(roles.intersection(HIGHLY_PRIVILEGED_ROLES))
            index = t.by_id.get(principal)
            if index is None:
                synced += principal in self.roles.synced
                without_mfa += not self.unmatched_registered.get(principal, False)
                continue
            synced += bool(t.flags[index] & SYNCED) or principal in self.roles.synced
            without_mfa += not t.flags[index] & MFA_REGISTERED
            if t.combo[index] >= 0 and utilisation.inactive(index, STALE_DAYS):
                inactive_admins += 1
                cost["admins"] += monthly(index)
        return AssuranceFacts(
            statuses=statuses,
            enabled_accounts=n["enabled"],
            enabled_members=n["enabled_members"],
            registration_rows=self.registration_rows,
            mfa_registered=self.registered_rows,
            mfa_registered_enabled_members=n["mfa_enabled_members"],
            admins=admins,
            admins_without_mfa=without_mfa,
            global_admins=global_admins,
            privileged_without_ga=privileged_without_ga,
            synced_admins=synced,
            inactive_licensed_admins_90=inactive_admins,
            stale_enabled_90=n["stale_enabled"],
            guests_enabled=n["guests_enabled"],
            guests_stale=n["guests_stale"],
            guests_stale_licensed=n["guests_stale_licensed"],
            licensed_enabled=n["licensed_enabled"],
            licensed_without_mfa=n["licensed_without_mfa"],
            waste_currency=currency,
            inactive_admin_monthly_cost=money(cost["admins"]),
            stale_guest_monthly_cost=money(cost["guests"]),
        )

    def _finish(
        self,
        skus: list[r.SubscribedSku],
        subscriptions: list[r.Subscription],
        policies: tuple[CaPolicy, ...],
        scores: tuple[ScorePoint, ...],
    ) -> ComputedRun:
        rd, t = self.reader, self.table
        basis = self._basis()
        dataset_warnings = self._warnings()
        common: list[InsightWarning] = []
        if self.concealed:
            common.append(InsightWarning(code="reports_concealed", message=CONCEAL_HELP))
        if basis == "none":
            common.append(
                InsightWarning(
                    code="activity_unavailable",
                    message="Neither sign-in activity nor joinable usage reports are available, so no "
                    "account is classed as inactive in this run.",
                )
            )
        utilisation = Utilisation(
            table=t,
            catalogue=self.catalogue,
            skus=skus,
            subscriptions=subscriptions,
            prices={k.lower(): v for k, v in self.settings.prices.items()},
            threshold_days=self.settings.threshold_days,
            reference=self.reference,
            basis=basis,
            group_names=self.group_names,
        )
        totals, inactive_at, redundant_by_sku, sku_rows, renewals = utilisation.compute()
        sources = {s.dataset: s for s in rd.sources()}
        statuses = {name: s.status for name, s in sources.items()}

        def header(family: Family, extra: list[InsightWarning] | None = None) -> dict[str, Any]:
            used = FAMILY_DATASETS[family]
            warnings = [dataset_warnings[d] for d in used if d in dataset_warnings]
            return {
                "as_of": self.as_of,
                "collected_at": rd.manifest.collected_at,
                "computed_at": self.now,
                "run_id": self.run_id,
                "warnings": [*common, *warnings, *(extra or [])],
                "sources": [sources[d.value] for d in used],
            }

        group_sizes: dict[int, int] = {}
        for code in t.group:
            if code >= 0:
                group_sizes[code] = group_sizes.get(code, 0) + 1
        groups_available = not self.concealed and self.joined_rows > 0
        facts = self._facts(utilisation, statuses)
        facts = replace(facts, ca_policies=policies, secure_scores=scores)
        checks = run_checks(facts)
        payloads: dict[Family, Payload] = {
            Family.UTILISATION: UtilisationSummary(
                **header(Family.UTILISATION, utilisation.warnings(sku_rows)),
                threshold_days=self.settings.threshold_days,
                activity_basis=basis,
                totals=totals,
                inactive_licensed=inactive_at,
                redundant_by_sku=redundant_by_sku,
                skus=sku_rows,
                renewals=renewals,
            ),
            Family.ADOPTION: AdoptionSummary(
                **header(Family.ADOPTION),
                workloads=self.adoption.workloads(),
                apps_report_period_days=self.adoption.apps_period,
                apps_by_platform=dict(self.adoption.platforms),
                apps_by_product=dict(self.adoption.products),
                groups=self.adoption.groups(t.groups, group_sizes) if groups_available else [],
                groups_available=groups_available,
                daily=self.adoption.daily_series(),
            ),
            Family.PRODUCTIVITY: ProductivitySummary(
                **header(Family.PRODUCTIVITY),
                metrics=self.productivity.metrics(),
                groups=self.productivity.groups(t.groups) if groups_available else [],
                groups_available=groups_available,
            ),
            Family.ASSURANCE: AssuranceSummary(
                **header(Family.ASSURANCE),
                posture=posture(checks),
                checks=checks,
                secure_score=secure_score_summary(scores),
            ),
        }
        lists = detail_lists(
            self, utilisation, checks=checks, skus=sku_rows, renewals=renewals, payloads=payloads
        )
        all_warnings = {w.code: w for p in payloads.values() for w in p.warnings}
        return ComputedRun(
            run_id=self.run_id,
            as_of=self.as_of,
            collected_at=rd.manifest.collected_at,
            computed_at=self.now,
            payloads=payloads,
            trend=trend_points(payloads),
            warnings=list(all_warnings.values()),
            lists=lists,
        )

    # -- helpers the detail lists use ---------------------------------------------------------------------

    def group_name(self, index: int) -> str | None:
        code = self.table.group[index]
        return self.table.groups[code] if code >= 0 else None

    def last_activity_iso(self, index: int) -> str | None:
        return iso(self.table.last_activity(index))

    def stale(self, index: int) -> bool:
        """No successful sign-in (interactive or not) in the `STALE_DAYS` days before as_of, or never."""
        signin = self.table.signin[index]
        return signin == 0 or self.reference - signin > STALE_DAYS

    def stale_guest(self, index: int) -> bool:
        """A stale guest: stale, but one who never signed in only once created more than STALE_DAYS ago."""
        if self.table.signin[index]:
            return self.stale(index)
        created = self.table.created[index]
        return created != 0 and self.reference - created > STALE_DAYS


DAILY_ACTIVE_KEYS = ("office365", "exchange", "onedrive", "sharepoint", "teams", "yammer")


def adoption_trend_fields() -> list[str]:
    """Every adoption trend point carries exactly these fields (null where its source lacks one): a day
    published by a run and a day backfilled from the counts report are one series, never two."""
    per_workload = [
        f"{w}.{m}" for w in WORKLOADS for m in ("licensed", "active_7", "active_30", "adoption_pct")
    ]
    return [*per_workload, *(f"{key}.daily_active" for key in DAILY_ACTIVE_KEYS)]


def trend_points(payloads: Mapping[Family, Payload]) -> dict[Family, dict[str, float | None]]:
    """The few headline numbers per family kept on the day's pointer row for `trend()`."""
    points: dict[Family, dict[str, float | None]] = {}
    u = payloads[Family.UTILISATION]
    assert isinstance(u, UtilisationSummary)
    money = u.totals.monthly_waste[0].amount if len(u.totals.monthly_waste) == 1 else None
    points[Family.UTILISATION] = {
        "purchased": u.totals.purchased,
        "assigned": u.totals.assigned,
        "unassigned": u.totals.unassigned,
        "active_accounts": u.totals.active_accounts,
        "inactive_accounts": u.totals.inactive_accounts,
        "disabled_licensed": u.totals.disabled_licensed,
        "redundant_assignments": u.totals.redundant_assignments,
        "reclaimable_assignments": u.totals.reclaimable_assignments,
        "utilisation_pct": u.totals.utilisation_pct,
        "monthly_waste": money,
    }
    a = payloads[Family.ADOPTION]
    assert isinstance(a, AdoptionSummary)
    adoption = dict.fromkeys(adoption_trend_fields())
    for w in a.workloads:
        adoption[f"{w.workload}.licensed"] = w.licensed
        adoption[f"{w.workload}.active_7"] = w.active_7
        adoption[f"{w.workload}.active_30"] = w.active_30
        adoption[f"{w.workload}.adoption_pct"] = w.adoption_pct
    if a.daily:  # the counts report's newest day: the same series a backfilled day carries
        for key in DAILY_ACTIVE_KEYS:
            adoption[f"{key}.daily_active"] = a.daily[-1].active.get(key)
    points[Family.ADOPTION] = adoption
    p = payloads[Family.PRODUCTIVITY]
    assert isinstance(p, ProductivitySummary)
    productivity: dict[str, float | None] = {}
    for m in p.metrics:
        productivity[f"{m.metric}.median"] = m.median
        productivity[f"{m.metric}.active_users"] = m.active_users
    points[Family.PRODUCTIVITY] = productivity
    s = payloads[Family.ASSURANCE]
    assert isinstance(s, AssuranceSummary)
    points[Family.ASSURANCE] = {
        "posture_score": s.posture.score,
        "checks_failing": s.posture.counts.get("fail", 0),
        "checks_warning": s.posture.counts.get("warn", 0),
        "secure_score_current": s.secure_score.current if s.secure_score else None,
        "secure_score_max": s.secure_score.maximum if s.secure_score else None,
    }
    return points


__all__ = ["ComputeSettings", "ComputedRun", "DataSource", "compute", "trend_points"]
