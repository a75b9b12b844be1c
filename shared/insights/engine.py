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
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from shared.insights.acceptance import InForce
from shared.insights.accounts import (
    ENABLED,
    GUEST,
    MFA_KNOWN,
    MFA_REGISTERED,
    AccountTable,
    ordinal,
)
from shared.insights.adoption import WORKLOADS, AdoptionAccumulator
from shared.insights.assurance import assess_all, posture, secure_score_summary
from shared.insights.checks import CHECKS
from shared.insights.copilot import CopilotAccumulator, copilot_summary, copilot_trend_point
from shared.insights.details import detail_lists
from shared.insights.ledger import LEDGER_LIST
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
from shared.insights.rightsizing import (
    RIGHTSIZING_LIST,
    Facts,
    RightSizing,
    UsageEvidence,
    risk_policies_enabled,
)
from shared.insights.snapshot_reader import SnapshotReader
from shared.insights.source import BlobStore
from shared.insights.state import CaPolicy, Population, RoleHolders, TenantState
from shared.insights.utilisation import ActivityBasis, PriceInfo, Utilisation, merged_catalogue
from shared.licensing import Catalogue, load_catalogue
from shared.snapshot import Dataset
from shared.snapshot import records as r
from shared.snapshot.roles import (
    HIGHLY_PRIVILEGED_ROLES,
    ROLE_GROUPS_NOT_EXPANDED,
)

log = logging.getLogger(__name__)
# The changes since the previous published run: empty here, filled by the job (shared.insights.changes).
CHANGES_LIST = "assurance-changes"

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
        Dataset.COPILOT_USAGE_USER_DETAIL,
        Dataset.COPILOT_USER_COUNT_TREND,
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
        Dataset.AUTHORIZATION_POLICY,
        Dataset.ADMIN_CONSENT_REQUEST_POLICY,
        Dataset.AUTHENTICATION_METHODS_POLICY,
        Dataset.DOMAINS,
        Dataset.APPLICATIONS,
        Dataset.GRAPH_PERMISSION_GRANTS,
        Dataset.ROLE_ASSIGNMENT_SCHEDULE_INSTANCES,
        Dataset.ROLE_ACTIVATION_POLICIES,
        Dataset.SHAREPOINT_SETTINGS,
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
    """One computed run: the four family payloads, their trend points and warnings, and the detail lists
    (rows generated lazily from the fold's state when the publisher writes them)."""

    run_id: str
    as_of: date
    collected_at: datetime
    computed_at: datetime
    utilisation: UtilisationSummary
    adoption: AdoptionSummary
    productivity: ProductivitySummary
    assurance: AssuranceSummary
    trend: dict[Family, dict[str, float | None]]
    warnings: list[InsightWarning]
    lists: dict[str, RowSource]  # detail list id → rows
    # directory object id → SKU ids the account holds (None: no such account), for the savings ledger
    licences_of: Callable[[str], frozenset[str] | None] = lambda user_id: None
    users_complete: bool = True  # the user list was collected completely

    @property
    def payloads(self) -> dict[Family, Payload]:
        return {
            Family.UTILISATION: self.utilisation,
            Family.ADOPTION: self.adoption,
            Family.PRODUCTIVITY: self.productivity,
            Family.ASSURANCE: self.assurance,
        }


def compute(
    store: BlobStore,
    *,
    as_of: date,
    run_id: str,
    settings: ComputeSettings,
    now: datetime,
    catalogue: Catalogue | None = None,
    acceptances: InForce | None = None,
) -> ComputedRun:
    """Compute a run; `acceptances`: the risk acceptances in force (the job reads them at compute time)."""
    return _Fold(
        store,
        as_of=as_of,
        run_id=run_id,
        settings=settings,
        now=now,
        catalogue=catalogue or load_catalogue(),
        acceptances=acceptances or InForce(),
    ).run()


class _Fold:
    """The one streaming pass over a snapshot; `run` folds it and assembles the families from the state."""

    def __init__(
        self,
        store: BlobStore,
        *,
        as_of: date,
        run_id: str,
        settings: ComputeSettings,
        now: datetime,
        catalogue: Catalogue,
        acceptances: InForce,
    ) -> None:
        self.acceptances = acceptances
        self.reader = SnapshotReader(store, as_of, run_id)
        self.as_of = as_of
        self.run_id = run_id
        self.settings = settings
        self.now = now
        self.reference = as_of.toordinal()
        self.table = AccountTable(settings.group_of)
        self.catalogue = catalogue
        self.roles = RoleHolders()
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
        self.copilot = CopilotAccumulator(settings.threshold_days)
        self.evidence = UsageEvidence()  # per-service usage for right-sizing
        self.authorization: r.AuthorizationPolicy | None = None
        self.consent_requests: r.AdminConsentRequestPolicy | None = None
        self.methods_policy: r.AuthenticationMethodsPolicy | None = None
        self.domains: tuple[r.Domain, ...] = ()
        self.applications: tuple[r.Application, ...] = ()
        self.graph_grants: tuple[r.GraphPermissionGrant, ...] = ()
        self.active_assignments: tuple[r.RoleAssignmentScheduleInstance, ...] = ()
        self.activation_policies: tuple[r.RoleActivationPolicy, ...] = ()
        self.sharepoint: r.SharePointSettings | None = None

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
                name=p.display_name,
                state=p.state,
                include_users=tuple(p.include_users),
                exclude_users=tuple(p.exclude_users),
                include_applications=tuple(p.include_applications),
                client_app_types=tuple(p.client_app_types),
                built_in_controls=tuple(p.built_in_controls),
                exclude_groups=tuple(p.exclude_groups),
                include_roles=tuple(p.include_roles),
                user_risk_levels=tuple(p.user_risk_levels),
                sign_in_risk_levels=tuple(p.sign_in_risk_levels),
                authentication_strength=p.authentication_strength,
                grant_operator=p.grant_operator,
                include_user_actions=tuple(p.include_user_actions),
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
        self._policies()
        self._reports()
        self._copilot()
        for counts in rd.records(Dataset.ACTIVE_USER_COUNTS, r.ActiveUserCounts):
            rd.note_refresh(Dataset.ACTIVE_USER_COUNTS, counts.report_refresh_date)
            self.adoption.add_counts(counts)
        return self._finish(skus, subscriptions, policies, tuple(scores))

    def _policies(self) -> None:
        """The tenant-wide policy documents (one row each)."""
        rd = self.reader
        self.authorization = next(rd.records(Dataset.AUTHORIZATION_POLICY, r.AuthorizationPolicy), None)
        self.consent_requests = next(
            rd.records(Dataset.ADMIN_CONSENT_REQUEST_POLICY, r.AdminConsentRequestPolicy), None
        )
        self.methods_policy = next(
            rd.records(Dataset.AUTHENTICATION_METHODS_POLICY, r.AuthenticationMethodsPolicy), None
        )
        self.domains = tuple(rd.records(Dataset.DOMAINS, r.Domain))
        self.applications = tuple(rd.records(Dataset.APPLICATIONS, r.Application))
        self.graph_grants = tuple(rd.records(Dataset.GRAPH_PERMISSION_GRANTS, r.GraphPermissionGrant))
        # Only the highly privileged roles are judged (MS.AAD.7.4): the rest is not kept.
        self.active_assignments = tuple(
            a
            for a in rd.records(Dataset.ROLE_ASSIGNMENT_SCHEDULE_INSTANCES, r.RoleAssignmentScheduleInstance)
            if a.role_definition_id.lower() in HIGHLY_PRIVILEGED_ROLES
        )
        self.activation_policies = tuple(rd.records(Dataset.ROLE_ACTIVATION_POLICIES, r.RoleActivationPolicy))
        self.sharepoint = next(rd.records(Dataset.SHAREPOINT_SETTINGS, r.SharePointSettings), None)

    def _licences_of(self, user_id: str) -> frozenset[str] | None:
        index = self.table.by_id.get(user_id.lower())
        return None if index is None else frozenset(sku for sku, _ in self.table.licences(index))

    def _sign_ins(self) -> None:
        t = self.table
        t.signin_lag = self.reader.days_behind(Dataset.SIGN_IN_ACTIVITY)
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

        self.evidence.size(len(t))
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
                self.evidence.active_user(index, row, behind(row.report_refresh_date))
        for apps in rd.records(Dataset.M365_APP_USER_DETAIL, r.M365AppUserDetail):
            rd.note_refresh(Dataset.M365_APP_USER_DETAIL, apps.report_refresh_date)
            index = self._join(apps.user_principal_name)
            self.adoption.add_apps(apps, group(index))
            if index >= 0:
                t.note_workload(index, ordinal(apps.last_activity_date), behind(apps.report_refresh_date))
                self.evidence.apps_row(index, apps, behind(apps.report_refresh_date))
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
                    self.evidence.usage(
                        index, source, usage_row.last_activity_date, behind(usage_row.report_refresh_date)
                    )
                lag = days(usage_row.report_refresh_date, usage_row.last_activity_date)
                prod.add(source, usage_row, usage_row.report_period, lag, group(index))

    def _copilot(self) -> None:
        """The Copilot usage report (joined to accounts unless names are concealed) and its daily trend."""
        rd = self.reader
        if rd.available(Dataset.COPILOT_USAGE_USER_DETAIL) and not self.concealed:
            self.copilot.join()  # a seat is measured only where the report was read
        for usage in rd.records(Dataset.COPILOT_USAGE_USER_DETAIL, r.CopilotUsageUserDetail):
            rd.note_refresh(Dataset.COPILOT_USAGE_USER_DETAIL, usage.report_refresh_date)
            self.copilot.add_usage(usage, self._join(usage.user_principal_name))
        for day in rd.records(Dataset.COPILOT_USER_COUNT_TREND, r.CopilotUserCountTrend):
            rd.note_refresh(Dataset.COPILOT_USER_COUNT_TREND, day.report_refresh_date)
            self.copilot.add_day(day)

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
            if (kept := self.reader.kept_warning(dataset)) is not None:
                found[dataset] = kept
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

    def _state(
        self, utilisation: Utilisation, policies: tuple[CaPolicy, ...], scores: tuple[ScorePoint, ...]
    ) -> TenantState:
        t = self.table
        enabled = members = guests = licensed = 0
        for i in range(len(t)):
            flags = t.flags[i]
            if not flags & ENABLED:
                continue
            enabled += 1
            guests += bool(flags & GUEST)
            members += not flags & GUEST
            licensed += t.combo[i] >= 0
        holders = self.roles.holders(t, self.unmatched_registered)
        sources = self.reader.sources()
        currencies = {p.currency for p in self.settings.prices.values()}
        return TenantState(
            table=t,
            utilisation=utilisation,
            roles=self.roles,
            holders=holders,
            policies=policies,
            scores=scores,
            statuses={s.dataset: s.status for s in sources},
            errors={s.dataset: s.error for s in sources if s.error},
            population=Population(
                enabled=enabled,
                enabled_members=members,
                enabled_guests=guests,
                licensed_enabled=licensed,
                registration_rows=self.registration_rows,
                registered_rows=self.registered_rows,
            ),
            reference=self.reference,
            currency=next(iter(currencies)) if len(currencies) == 1 else None,
            holder_of={h.index: h for h in holders if h.index is not None},
            authorization=self.authorization,
            consent_requests=self.consent_requests,
            methods_policy=self.methods_policy,
            domains=self.domains,
            applications=self.applications,
            graph_grants=self.graph_grants,
            active_assignments=self.active_assignments,
            activation_policies=self.activation_policies,
            sharepoint=self.sharepoint,
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
            copilot=None if self.concealed else self.copilot.seats,
        )
        totals, inactive_at, redundant_by_sku, sku_rows, renewals = utilisation.compute()
        sources = {s.dataset: s for s in rd.sources()}

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
        state = self._state(utilisation, policies, scores)
        rightsizing = RightSizing(
            utilisation,
            Facts(self.evidence, self.reference, frozenset(state.holder_of)),
            statuses={d: self.reader.status(d) for d in Dataset},
            concealed=self.concealed,
            risk_policies=risk_policies_enabled(policies),
        )
        moves = rightsizing.summary()
        assessed = assess_all(CHECKS, state)
        checks = [self.acceptances.apply(a.result, a.offenders, state.subject_id) for a in assessed]
        adoption = AdoptionSummary(
            **header(Family.ADOPTION),
            workloads=self.adoption.workloads(),
            apps_report_period_days=self.adoption.apps_period,
            apps_by_platform=dict(self.adoption.platforms),
            apps_by_product=dict(self.adoption.products),
            groups=self.adoption.groups(t.groups, group_sizes) if groups_available else [],
            groups_available=groups_available,
            daily=self.adoption.daily_series(),
        )
        productivity = ProductivitySummary(
            **header(Family.PRODUCTIVITY),
            metrics=self.productivity.metrics(),
            groups=self.productivity.groups(t.groups) if groups_available else [],
            groups_available=groups_available,
        )
        computed = ComputedRun(
            run_id=self.run_id,
            as_of=self.as_of,
            collected_at=rd.manifest.collected_at,
            computed_at=self.now,
            utilisation=UtilisationSummary(
                **header(Family.UTILISATION, [*utilisation.warnings(sku_rows), *rightsizing.warnings]),
                threshold_days=self.settings.threshold_days,
                activity_basis=basis,
                totals=totals,
                inactive_licensed=inactive_at,
                redundant_by_sku=redundant_by_sku,
                skus=sku_rows,
                renewals=renewals,
                rightsizing=moves,
                rightsizing_targets=rightsizing.targets(),
                copilot=copilot_summary(
                    self.copilot,
                    rows=sku_rows,
                    copilot_skus=utilisation.copilot_skus,
                    table=t,
                    report_status=rd.status(Dataset.COPILOT_USAGE_USER_DETAIL),
                    concealed=self.concealed,
                    unit_prices=utilisation.unit_prices(utilisation.copilot_skus),
                ),
            ),
            adoption=adoption,
            productivity=productivity,
            assurance=AssuranceSummary(
                **header(Family.ASSURANCE),
                posture=posture(checks),
                checks=checks,
                secure_score=secure_score_summary(scores),
            ),
            trend={},
            warnings=[],
            lists={},
        )
        computed.trend = trend_points(computed)
        computed.warnings = list({w.code: w for p in computed.payloads.values() for w in p.warnings}.values())
        computed.lists = detail_lists(
            state,
            assessed,
            self.acceptances,
            skus=sku_rows,
            renewals=renewals,
            adoption=adoption,
            productivity=productivity,
        )
        computed.lists[CHANGES_LIST] = lambda: iter(())
        computed.lists[RIGHTSIZING_LIST] = rightsizing.rows
        computed.lists[LEDGER_LIST] = lambda: iter(())  # filled by the job (shared.insights.ledger)
        computed.licences_of = self._licences_of
        computed.users_complete = rd.status(Dataset.USERS) == "complete"
        return computed


DAILY_ACTIVE_KEYS = ("office365", "exchange", "onedrive", "sharepoint", "teams", "yammer")


def adoption_trend_fields() -> list[str]:
    """Every adoption trend point carries exactly these fields (null where its source lacks one): a day
    published by a run and a day backfilled from the counts report are one series, never two."""
    per_workload = [
        f"{w}.{m}" for w in WORKLOADS for m in ("licensed", "active_7", "active_30", "adoption_pct")
    ]
    return [*per_workload, *(f"{key}.daily_active" for key in DAILY_ACTIVE_KEYS)]


def trend_points(run: ComputedRun) -> dict[Family, dict[str, float | None]]:
    """The few headline numbers per family kept on the day's pointer row for `trend()`."""
    points: dict[Family, dict[str, float | None]] = {}
    u = run.utilisation
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
        **copilot_trend_point(u.copilot),
    }
    a = run.adoption
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
    p = run.productivity
    productivity: dict[str, float | None] = {}
    for m in p.metrics:
        productivity[f"{m.metric}.median"] = m.median
        productivity[f"{m.metric}.active_users"] = m.active_users
    points[Family.PRODUCTIVITY] = productivity
    s = run.assurance
    points[Family.ASSURANCE] = {
        "posture_score": s.posture.score,
        "checks_failing": s.posture.counts.get("fail", 0),
        "checks_warning": s.posture.counts.get("warn", 0),
        "checks_accepted": s.posture.counts.get("accepted", 0),
        "findings_accepted": sum(c.accepted_findings for c in s.checks),
        "secure_score_current": s.secure_score.current if s.secure_score else None,
        "secure_score_max": s.secure_score.maximum if s.secure_score else None,
    }
    return points


__all__ = ["ComputeSettings", "ComputedRun", "DataSource", "compute", "trend_points"]
