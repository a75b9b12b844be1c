"""Insight payloads: what is stored per family and run, and what the API returns (pydantic, JSON-ready).

Every payload carries its freshness (`as_of`, `collected_at`, `run_id`), the state of each raw dataset it
was computed from, and `warnings` that name each known gap, so no figure is shown without its caveats.
Only aggregates appear here: the per-person rows behind the reports live in the detail lists.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Family(StrEnum):
    UTILISATION = "utilisation"
    ADOPTION = "adoption"
    PRODUCTIVITY = "productivity"
    ASSURANCE = "assurance"


class InsightWarning(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str  # reports_concealed | signin_activity_unavailable | dataset_failed:<name> | price_missing:<sku>
    message: str


class DataSource(BaseModel):
    dataset: str
    status: str  # complete | failed | unavailable | missing
    rows: int = 0
    data_as_of: date | None = None  # the data's own date (a usage report's refresh date)
    error: str | None = None


class Payload(BaseModel):
    family: Family
    as_of: date
    collected_at: datetime
    computed_at: datetime
    run_id: str
    warnings: list[InsightWarning] = Field(default_factory=list)
    sources: list[DataSource] = Field(default_factory=list)


# --- utilisation -----------------------------------------------------------------------------------------


class Money(BaseModel):
    currency: str
    amount: float


class SkuUtilisation(BaseModel):
    sku_id: str
    sku_part_number: str
    name: str
    capability_status: str
    free: bool  # a no-cost SKU (licensing rules): listed, but kept out of totals, waste, renewals and lists
    usage_signal: Literal["activity", "none"]  # "none": an add-on Graph shows no per-user usage for
    purchased: int  # usable seats: prepaidUnits.enabled + warning (not suspended or lockedOut)
    assigned: int  # consumedUnits
    unassigned: int  # max(purchased - assigned, 0)
    over_assigned: int  # max(assigned - purchased, 0): licences no usable seat backs (they cost nothing)
    trial_seats: int  # seats of its live trial subscriptions: they cost nothing today
    holders: int  # accounts in the snapshot holding it
    active: int  # enabled holders active within the threshold (never for an add-on without usage signal)
    inactive: int  # enabled holders inactive beyond the threshold
    no_signal: int  # enabled, active holders of an add-on whose own use Graph does not show
    disabled: int  # holders whose account is disabled
    redundant: int  # assignments made redundant by another licence of the same account
    reclaimable: int  # distinct assignments that are disabled, inactive or redundant
    waste_seats: int  # seats that cost money: max(reclaimable + unassigned − trial_seats − over_assigned, 0)
    utilisation_pct: float | None  # min(active, purchased) / purchased (None without a usage signal)
    monthly_price: Money | None
    monthly_waste: Money | None  # waste_seats × price


LifecycleEvent = Literal["renewal", "expiry", "trial_end"]


class RenewalReclaim(BaseModel):
    subscription_id: str
    sku_id: str
    name: str
    status: str  # companySubscription status: Enabled or Warning (no other status has a next event)
    event: LifecycleEvent  # renewal (Enabled, paid), expiry (Warning: grace period ends), trial_end
    event_date: date  # nextLifecycleDateTime
    days_to_event: int
    is_trial: bool
    seats: int
    reclaimable_seats: int  # renewals only: priced spare seats allotted to this subscription
    monthly_saving: Money | None  # renewals only
    term_saving: Money | None  # monthly_saving × 12 (an annual term is assumed)
    action: str  # what to do before the date


class UtilisationTotals(BaseModel):
    purchased: int
    assigned: int
    unassigned: int
    licensed_accounts: int
    active_accounts: int
    inactive_accounts: int
    disabled_licensed: int
    guests_licensed: int
    redundant_assignments: int
    reclaimable_assignments: int
    no_signal_assignments: int  # add-on assignments of active accounts: no usage signal in Graph
    waste_seats: int  # Σ waste_seats over paid SKUs (the seats the monthly waste prices)
    utilisation_pct: float | None  # Σ active / Σ purchased over paid SKUs with a usage signal
    monthly_waste: list[Money]


class LicenceName(BaseModel):
    sku_id: str
    name: str


class RightSizingMove(BaseModel):
    """One right-sizing rule's aggregate for one from → to pair (the person-level rows are admin-only)."""

    rule: str  # shared.insights.rightsizing.RULES id
    from_sku_id: str
    from_name: str
    to_sku_id: str
    to_name: str
    accounts: int
    monthly_saving: Money  # Σ (from price − to price) over the accounts, to the penny
    summary: str  # "N accounts could move from X to Y, saving £Z a month"


# What the Copilot section can say: `measured` (the usage report joined to the licence holders),
# `names_concealed` (organisation-wide use only), `no_report` (the report was not collected: why is in
# `message`) or `not_licensed` (no Copilot licence bought or held: nothing to measure, no zeros shown).
CopilotState = Literal["measured", "names_concealed", "no_report", "not_licensed"]


class CopilotSurface(BaseModel):
    surface: str  # any | teams | outlook | word | excel | powerpoint | onenote | loop | copilot_chat
    title: str
    active_7: int  # holders in the usage report who used Copilot there within 7 days of its refresh date
    active_28: int
    active_90: int
    active_28_pct: float | None  # active_28 / holders in the report


class CopilotGroup(BaseModel):
    group: str
    holders: int
    suppressed: bool  # fewer than 5 holders: no figures are given
    active_28: int | None = None
    active_28_pct: float | None = None


class CopilotDay(BaseModel):
    day: date
    enabled: int  # Copilot-enabled users that day (any app)
    active: int  # users active in Copilot that day (any app)
    active_by_surface: dict[str, int] = Field(default_factory=dict)


class CopilotSummary(BaseModel):
    """Microsoft 365 Copilot seats bought, assigned and used, per surface and group, and the unused ones."""

    state: CopilotState
    message: str | None = None  # why a state other than `measured`
    sku_ids: list[str] = Field(default_factory=list)  # the tenant's paid Copilot SKUs
    purchased: int = 0  # usable seats (Enabled and Warning subscriptions)
    assigned: int = 0  # consumedUnits
    threshold_days: int = 30  # a seat is inactive without a Copilot use in this many days
    report_refresh_date: date | None = None
    reported_users: int = 0  # rows of the usage report (Copilot licence holders)
    surfaces: list[CopilotSurface] = Field(default_factory=list)  # "any" first
    inactive_seats: int | None = None  # Copilot licences without a Copilot use in threshold_days
    never_used: int | None = None  # of which: no Copilot use in the report at all
    monthly_cost_inactive: list[Money] = Field(default_factory=list)  # inactive seats × price
    groups: list[CopilotGroup] = Field(default_factory=list)
    groups_available: bool = False
    trend: list[CopilotDay] = Field(default_factory=list)  # oldest day first


class UtilisationSummary(Payload):
    family: Literal[Family.UTILISATION] = Family.UTILISATION
    threshold_days: int
    activity_basis: Literal["blended", "sign_in", "reports", "none"]
    totals: UtilisationTotals
    inactive_licensed: dict[int, int]  # 30/60/90 → enabled licensed accounts inactive beyond it
    redundant_by_sku: dict[str, int]
    skus: list[SkuUtilisation]
    renewals: list[RenewalReclaim]
    copilot: CopilotSummary | None = None  # None only in payloads computed before Copilot was measured
    rightsizing: list[RightSizingMove] = Field(default_factory=list)  # most money first
    # Every licence a rule that ran could move holders to, by name: most are licences the tenant does not
    # hold, which need a price before anything is recommended (Settings lists them to be priced).
    rightsizing_targets: list[LicenceName] = Field(default_factory=list)


# --- adoption --------------------------------------------------------------------------------------------


class WorkloadAdoption(BaseModel):
    workload: str
    title: str
    licensed: int
    active_7: int
    active_30: int
    active_90: int
    adoption_pct: float | None  # active_30 / licensed


class GroupWorkload(BaseModel):
    licensed: int
    active_30: int
    adoption_pct: float | None


class GroupAdoption(BaseModel):
    group: str
    people: int
    suppressed: bool  # fewer than 5 people: no figures are given
    workloads: dict[str, GroupWorkload] = Field(default_factory=dict)


class DailyActive(BaseModel):
    day: date
    active: dict[str, int]  # workload → active users that day (from the counts report)


class AdoptionSummary(Payload):
    family: Literal[Family.ADOPTION] = Family.ADOPTION
    workloads: list[WorkloadAdoption]
    apps_report_period_days: int | None
    apps_by_platform: dict[str, int]  # windows/mac/mobile/web → users active on it in the period
    apps_by_product: dict[str, int]
    groups: list[GroupAdoption]
    groups_available: bool  # false when reports are concealed (no per-person join possible)
    daily: list[DailyActive]


# --- productivity ----------------------------------------------------------------------------------------


class MetricStats(BaseModel):
    metric: str
    title: str
    unit: str
    source: str
    period_days: int | None
    active_users: int
    total: float | None  # None (with mean, median, p90) when fewer than 5 people are active
    mean: float | None
    median: float | None
    p90: float | None


class GroupMetric(BaseModel):
    median: float | None
    p90: float | None


class GroupProductivity(BaseModel):
    group: str
    active_users: int
    suppressed: bool
    metrics: dict[str, GroupMetric] = Field(default_factory=dict)


class ProductivitySummary(Payload):
    family: Literal[Family.PRODUCTIVITY] = Family.PRODUCTIVITY
    metrics: list[MetricStats]
    groups: list[GroupProductivity]
    groups_available: bool


# --- assurance -------------------------------------------------------------------------------------------

CheckStatus = Literal["pass", "fail", "warn", "not_applicable", "accepted"]
# What a check found before any risk acceptance: `accepted` is only ever a status, never a verdict.
Verdict = Literal["pass", "fail", "warn", "not_applicable"]
Severity = Literal["high", "medium", "low"]
# Why a check is not_applicable: the tenant lacks the licence, the app lacks the permission (403), or the
# data could not be read (any other failure) — never a pass, and an API failure is never "not licensed".
NotApplicableCause = Literal["not_licensed", "permission_not_granted", "data_unreadable"]


class AcceptedRisk(BaseModel):
    """An acceptance in force when the run was computed, as a check or finding shows it."""

    acceptance_id: str
    subject_id: str | None  # None: the whole check
    reason: str
    owner: str
    expires_on: date


class CheckResult(BaseModel):
    id: str
    title: str
    severity: Severity
    status: CheckStatus
    reason: str | None = None  # why not_applicable (e.g. the licence it needs), or a short verdict
    evidence: dict[str, int | float | str | bool | None] = Field(default_factory=dict)
    remediation: str
    baseline: str | None = None  # the first of `baselines`, e.g. MS.AAD.7.1v1
    requires: list[str] = Field(default_factory=list)  # datasets it reads
    not_applicable: NotApplicableCause | None = None  # set exactly when status is not_applicable
    baselines: list[str] = Field(default_factory=list)  # every baseline id it implements
    rationale: str = ""
    licence: str | None = None  # the licence its data needs, if any
    permissions: list[str] = Field(default_factory=list)  # Graph application permissions it needs
    graph: list[str] = Field(default_factory=list)  # the Graph requests its data comes from
    # Risk acceptance (shared.insights.acceptance): set when an active acceptance covers the whole check, or
    # every one of its findings; then `status` is `accepted` and `verdict` what the check found.
    verdict: Verdict | None = None
    accepted: list[AcceptedRisk] = Field(default_factory=list)  # the acceptances in force on this check
    accepted_findings: int = 0  # of its offenders, how many an acceptance of that finding covers


class StatusChange(BaseModel):
    check_id: str
    title: str
    severity: Severity
    before: CheckStatus | None  # None: the check did not exist in the previous run
    after: CheckStatus


class ChangeSummary(BaseModel):
    """What changed since the previous published run; the rows are the `assurance-changes` report."""

    previous_run_id: str | None  # None: the first published run (nothing to compare with)
    previous_as_of: date | None
    since: datetime | None  # the window the directory audit log was read for: since … until
    until: datetime
    checks_changed: list[StatusChange] = Field(default_factory=list)
    new_findings: int = 0
    resolved_findings: int = 0
    attributed: int = 0  # changes with who made them, from the directory audit log


class ScorePoint(BaseModel):
    day: date
    current: float
    maximum: float


class SecureScoreSummary(BaseModel):
    current: float
    maximum: float
    pct: float | None
    change_7d: float | None
    change_30d: float | None
    history: list[ScorePoint]


class Posture(BaseModel):
    score: int | None
    formula: str
    counts: dict[str, int]


class AssuranceSummary(Payload):
    family: Literal[Family.ASSURANCE] = Family.ASSURANCE
    posture: Posture
    checks: list[CheckResult]
    secure_score: SecureScoreSummary | None
    changes: ChangeSummary | None = None  # set on every run published after this was introduced


FamilyPayload = UtilisationSummary | AdoptionSummary | ProductivitySummary | AssuranceSummary
PAYLOAD_MODELS: dict[Family, type[Payload]] = {
    Family.UTILISATION: UtilisationSummary,
    Family.ADOPTION: AdoptionSummary,
    Family.PRODUCTIVITY: ProductivitySummary,
    Family.ASSURANCE: AssuranceSummary,
}


# --- trends and published runs ---------------------------------------------------------------------------


class TrendPoint(BaseModel):
    day: date
    run_id: str | None  # None for a day backfilled from a counts report
    source: Literal["run", "counts_report"] = "run"
    values: dict[str, float | None]


class TrendSeries(BaseModel):
    family: Family
    start: date
    end: date
    points: list[TrendPoint]


class DetailListInfo(BaseModel):
    list_id: str
    blob: str
    rows: int


class PublishedRun(BaseModel):
    """What a pointer row (`current`, `day|<as_of>`) names: one run, whole."""

    run_id: str
    as_of: date
    collected_at: datetime
    published_at: datetime
    lists: dict[str, DetailListInfo] = Field(default_factory=dict)
    warnings: list[str] = Field(default_factory=list)
