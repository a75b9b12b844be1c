"""Ground truth: counts of every planted fact, folded from one streaming pass over the accounts.

Definitions (the tests and insights compare against these):
- licensed: holds at least one `assignedLicenses` entry. Inactivity counts only enabled licensed accounts.
- blended last activity: latest of lastSuccessfulSignInDateTime (successful, interactive or not) and any
  workload "Last Activity Date" in the usage reports; inactive at N days when older than N days or none,
  a sign-in's age counted from as_of and report activity's from the report's refresh date.
  lastNonInteractiveSignInDateTime is an attempt, successful or not, and never counts.
  `_signin` and `_reports` variants use one source each (non-premium tenants, concealed reports).
- never signed in: no successful sign-in (signInActivity null, all-null or sentinel, or attempts only).
- stale guest: enabled guest whose last sign-in is older than 90 days, or never and created > 90 days ago.
- redundant assignment: licence B of an account for which another held licence A satisfies
  `Catalogue.redundant(A, B)` (B's enabled billable plans ⊆ A's enabled plans).
- reclaimable assignment (per SKU, at the default 30 days): the account is disabled, or enabled and
  inactive, or the licence is redundant; one count per (account, SKU).
- seats (`SeatTruth`, from the planted subscriptions): usable seats are those of Enabled and Warning
  subscriptions; Suspended and LockedOut units give nobody access and cost nothing; Deleted ones are gone.
  purchased = usable; unassigned = max(usable − consumed, 0); over-assigned = max(consumed − usable, 0)
  (licences no usable seat backs); trial seats = usable seats of trial subscriptions; waste seats =
  max(reclaimable + unassigned − trial − over-assigned, 0), 0 for the free SKU. Events: an Enabled paid
  subscription renews, an Enabled trial ends, a Warning one expires (on or after as_of); no other status
  has one. A Deleted SKU nobody holds is not listed.
- admins: distinct users holding at least one privileged directory role (`shared.snapshot.roles`), directly
  or as a member of a role-assignable group holding it; synced admins have onPremisesSyncEnabled.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from dev.tenant.activity import Workload
from dev.tenant.copilot import SURFACES
from dev.tenant.reports import DETAIL_ROWS, PERIODS, Report
from dev.tenant.roles import GLOBAL_ADMIN
from dev.tenant.subscriptions import Seats, Status
from shared.snapshot.roles import PRIVILEGED_ROLES

if TYPE_CHECKING:
    from datetime import date

    from dev.tenant.account import Account
    from dev.tenant.licences import Licence
    from dev.tenant.tenant import Tenant

INACTIVITY_DAYS = (30, 60, 90)
COPILOT_WINDOWS = (7, 28, 90)
NO_DEPARTMENT = "(no department)"
ADOPTION_DAYS = (7, 30, 90)
DEFAULT_THRESHOLD = 30
BASES = ("blended", "signin", "reports")  # the activity sources: both, sign-ins only, reports only
USABLE = (Status.ENABLED, Status.WARNING)


class GroundTruth(BaseModel):
    model_config = ConfigDict(frozen=True)

    accounts: int
    members: int
    guests: int
    enabled: int
    disabled: int
    licensed: int
    disabled_licensed: int
    guests_licensed: int
    guests_stale: int
    guests_stale_licensed: int
    synced_accounts: int
    global_admins: int
    admins: int
    synced_admins: int
    admins_without_mfa: int
    inactive_licensed_admins_90: int
    role_assignments: dict[str, int]  # role definition id → user assignments, direct or through a group
    role_holders_via_group: int  # accounts holding a privileged role through a role-assignable group
    licence_paths: dict[str, int]  # direct | group | direct and group → licences assigned that way
    mfa_registered: int
    mfa_registered_enabled_members: int
    enabled_members: int
    never_signed_in: int
    signin_null: int  # signInActivity: null
    failed_signin_only: int  # an interactive or non-interactive attempt, but no successful sign-in
    stale_enabled_90: int  # enabled accounts without a sign-in in 90 days (never included)
    inactive_licensed: dict[int, int]
    inactive_licensed_signin: dict[int, int]
    inactive_licensed_reports: dict[int, int]
    sku_consumed: dict[str, int]  # sku id → accounts holding it (= subscribedSkus consumedUnits)
    redundant_assignments: int
    redundant_by_sku: dict[str, int]  # the redundant SKU (B) → count
    sku_reclaimable: dict[str, dict[str, int]]  # basis → sku id → reclaimable assignments at 30 days
    disabled_plan_assignments: int
    workload_licensed: dict[str, int]
    workload_active: dict[str, dict[int, int]]  # workload → days → licensed accounts active within
    report_rows: dict[str, int]  # detail report → data rows (same for every period)
    counts_report_rows: dict[str, int]  # period → rows of each counts report
    departments: dict[str, int]
    legacy_auth_blocked: bool
    mfa_required_for_all: bool
    secure_score_current: float
    secure_score_max: float
    policy_checks: dict[str, str]  # check id → verdict, from the planted policies (`dev.tenant.policies`)
    # Microsoft 365 Copilot (`dev.tenant.copilot`): holders, their planted patterns, holders who used it
    # within 7/28/90 days ("any" and per surface, on the report's clock), and per reporting group.
    copilot_holders: int = 0
    copilot_uses: dict[str, int] = {}
    copilot_active: dict[str, dict[int, int]] = {}
    copilot_idle: int = 0  # holders (any account state) without a use in the default threshold's days
    copilot_group_holders: dict[str, int] = {}  # department (or "(no department)") → holders
    copilot_group_active_28: dict[str, int] = {}


def _older(days: int | None, threshold: int) -> bool:
    return days is None or days > threshold


def _redundant(tenant: Tenant, account: Account) -> list[str]:
    held = account.licences
    return [
        b.sku_id
        for b in held
        if any(
            tenant.catalogue.redundant(a.sku_id, a.disabled_plans, b.sku_id, b.disabled_plans)
            for a in held
            if a is not b
        )
    ]


def _count_roles(a: Account, n: Counter[str], roles: Counter[str]) -> None:
    """Administrators (privileged roles, directly or through a group) and user assignments per role."""
    if a.held_roles(PRIVILEGED_ROLES):
        n["admins"] += 1
        n["synced_admins"] += a.synced
        n["admins_without_mfa"] += not a.mfa.registered
        n["inactive_licensed_admins_90"] += a.licensed and _older(a.activity.last_any(), 90)
    roles.update(a.roles)
    roles.update(role for role, _ in a.group_roles)
    n["role_holders_via_group"] += any(role in PRIVILEGED_ROLES for role, _ in a.group_roles)


def _path(licence: Licence) -> str:
    if not licence.via_groups:
        return "direct"
    return "direct and group" if licence.direct else "group"


def _count_licences(
    copilot_sku: str,
    a: Account,
    last: dict[str, int | None],
    redundant: list[str],
    *,
    reclaimable: dict[str, Counter[str]],
    copilot: Counter[tuple[str, str | int]],
) -> None:
    """A licensed account's reclaimable licences per basis, and its Copilot use if it holds Copilot."""
    _count_copilot(a, copilot)
    # An unused Copilot seat is reclaimable wherever the reports can be joined to accounts.
    copilot_idle = a.copilot is not None and _older(a.copilot.last_age, DEFAULT_THRESHOLD)
    for basis in BASES:
        gone = not a.enabled or _older(last[basis], DEFAULT_THRESHOLD)
        idle = copilot_idle and basis != "signin"
        reclaimable[basis].update(
            lic.sku_id
            for lic in a.licences
            if gone or lic.sku_id in redundant or (idle and lic.sku_id == copilot_sku)
        )


def _count_copilot(a: Account, copilot: Counter[tuple[str, str | int]]) -> None:
    """("holders", ""), ("idle", ""), ("use", pattern), (surface or "any", window), (group, "holders" or
    "active_28") → holders."""
    use = a.copilot
    if use is None:
        return
    copilot["holders", ""] += 1
    copilot["use", use.use.value] += 1
    copilot["idle", ""] += _older(use.last_age, DEFAULT_THRESHOLD)
    for days in COPILOT_WINDOWS:
        copilot["any", days] += not _older(use.last_age, days)
        for surface, age in use.ages.items():
            copilot[surface, days] += age <= days
    group = f"group:{a.department or NO_DEPARTMENT}"
    copilot[group, "holders"] += 1
    copilot[group, "active_28"] += not _older(use.last_age, 28)


def _per_group(copilot: Counter[tuple[str, str | int]], kind: str) -> dict[str, int]:
    return {
        key.removeprefix("group:"): c
        for (key, k), c in copilot.items()
        if k == kind and key.startswith("group:")
    }


def compute_ground_truth(tenant: Tenant) -> GroundTruth:
    n: Counter[str] = Counter()
    copilot: Counter[tuple[str, str | int]] = Counter()
    roles: Counter[str] = Counter()
    paths: Counter[str] = Counter()
    skus: Counter[str] = Counter()
    redundant: Counter[str] = Counter()
    rows: Counter[str] = Counter()
    departments: Counter[str] = Counter()
    workload_licensed: Counter[str] = Counter()
    workload_active: Counter[tuple[str, int]] = Counter()
    inactive: Counter[tuple[str, int]] = Counter()
    reclaimable: dict[str, Counter[str]] = {basis: Counter() for basis in BASES}
    for a in tenant.accounts():
        act = a.activity
        signin = act.last_signin()
        n["guests" if a.guest else "members"] += 1
        n["enabled" if a.enabled else "disabled"] += 1
        n["synced_accounts"] += a.synced
        n["mfa_registered"] += a.mfa.registered
        n["never_signed_in"] += signin is None
        n["signin_null"] += act.sign_in is None
        n["failed_signin_only"] += (
            signin is None
            and act.sign_in is not None
            and (act.sign_in.interactive is not None or act.sign_in.non_interactive is not None)
        )
        n["stale_enabled_90"] += a.enabled and _older(signin, 90)
        if a.enabled and not a.guest:
            n["enabled_members"] += 1
            n["mfa_registered_enabled_members"] += a.mfa.registered
        if a.department:
            departments[a.department] += 1
        if a.guest and a.enabled:
            created_days = (tenant.spec.as_of - a.created).days
            stale = _older(signin, 90) if signin is not None else created_days > 90
            n["guests_stale"] += stale
            n["guests_stale_licensed"] += stale and a.licensed
        _count_roles(a, n, roles)
        paths.update(_path(lic) for lic in a.licences)
        if a.licensed:
            n["licensed"] += 1
            n["guests_licensed"] += a.guest
            n["disabled_licensed"] += not a.enabled
            n["disabled_plan_assignments"] += sum(bool(lic.disabled_plans) for lic in a.licences)
            skus.update(lic.sku_id for lic in a.licences)
            redundant_here = _redundant(tenant, a)
            redundant.update(redundant_here)
            last = {"blended": act.last_any(), "signin": signin, "reports": act.last_workload_age()}
            if a.enabled:
                for days in INACTIVITY_DAYS:
                    for basis in BASES:
                        inactive[basis, days] += _older(last[basis], days)
            _count_licences(
                tenant.copilot_sku, a, last, redundant_here, reclaimable=reclaimable, copilot=copilot
            )
        for workload in a.workloads:
            workload_licensed[workload.value] += 1
            for days in ADOPTION_DAYS:
                workload_active[workload.value, days] += not _older(act.workload_age(workload), days)
        for report, included in DETAIL_ROWS.items():
            rows[report.value] += included(a)
    latest = tenant.secure_scores[0]
    return GroundTruth(
        accounts=tenant.spec.accounts,
        members=n["members"],
        guests=n["guests"],
        enabled=n["enabled"],
        disabled=n["disabled"],
        licensed=n["licensed"],
        disabled_licensed=n["disabled_licensed"],
        guests_licensed=n["guests_licensed"],
        guests_stale=n["guests_stale"],
        guests_stale_licensed=n["guests_stale_licensed"],
        synced_accounts=n["synced_accounts"],
        global_admins=roles[GLOBAL_ADMIN],
        admins=n["admins"],
        synced_admins=n["synced_admins"],
        admins_without_mfa=n["admins_without_mfa"],
        inactive_licensed_admins_90=n["inactive_licensed_admins_90"],
        role_assignments=dict(roles),
        role_holders_via_group=n["role_holders_via_group"],
        licence_paths=dict(paths),
        mfa_registered=n["mfa_registered"],
        mfa_registered_enabled_members=n["mfa_registered_enabled_members"],
        enabled_members=n["enabled_members"],
        never_signed_in=n["never_signed_in"],
        signin_null=n["signin_null"],
        failed_signin_only=n["failed_signin_only"],
        stale_enabled_90=n["stale_enabled_90"],
        inactive_licensed={d: inactive["blended", d] for d in INACTIVITY_DAYS},
        inactive_licensed_signin={d: inactive["signin", d] for d in INACTIVITY_DAYS},
        inactive_licensed_reports={d: inactive["reports", d] for d in INACTIVITY_DAYS},
        sku_consumed=dict(skus),
        redundant_assignments=sum(redundant.values()),
        redundant_by_sku=dict(redundant),
        sku_reclaimable={basis: dict(found) for basis, found in reclaimable.items()},
        disabled_plan_assignments=n["disabled_plan_assignments"],
        workload_licensed=dict(workload_licensed),
        workload_active={
            w.value: {d: workload_active[w.value, d] for d in ADOPTION_DAYS}
            for w in Workload
            if workload_licensed[w.value]
        },
        report_rows={report.value: rows[report.value] for report in DETAIL_ROWS},
        counts_report_rows={period: days for period, days in PERIODS.items()},
        departments=dict(departments),
        legacy_auth_blocked=tenant.spec.legacy_auth_blocked,
        mfa_required_for_all=tenant.spec.mfa_required_for_all,
        secure_score_current=latest.current,
        secure_score_max=latest.maximum,
        policy_checks=dict(tenant.policies.expected),
        copilot_holders=copilot["holders", ""],
        copilot_uses={str(use): c for (kind, use), c in copilot.items() if kind == "use"},
        copilot_active={
            surface: {d: copilot[surface, d] for d in COPILOT_WINDOWS} for surface in ("any", *SURFACES)
        },
        copilot_idle=copilot["idle", ""],
        copilot_group_holders=_per_group(copilot, "holders"),
        copilot_group_active_28=_per_group(copilot, "active_28"),
    )


class SeatTruth(BaseModel):
    """Per listed SKU (sku id →) and per subscription (id →): what each lifecycle status counts for."""

    model_config = ConfigDict(frozen=True)

    capability_status: dict[str, str]
    purchased: dict[str, int]
    unassigned: dict[str, int]
    over_assigned: dict[str, int]
    trial_seats: dict[str, int]
    waste_seats: dict[str, dict[str, int]]  # basis → sku id → seats that cost money
    events: dict[str, str]  # subscription id → renewal | expiry | trial_end
    statuses: dict[str, int]  # subscription status → subscriptions


def _event(status: Status, trial: bool) -> str | None:
    if status is Status.WARNING:
        return "expiry"
    if status is Status.ENABLED:
        return "trial_end" if trial else "renewal"
    return None


def compute_seat_truth(seats: tuple[Seats, ...], truth: GroundTruth, as_of: date) -> SeatTruth:
    listed = [s for s in seats if s.consumed or s.capability_status is not Status.DELETED]
    usable = {s.sku.id: sum(s.units(status) for status in USABLE) for s in listed}
    trial = {
        s.sku.id: sum(sub.seats for sub in s.subscriptions if sub.trial and sub.status in USABLE)
        for s in listed
    }
    unassigned = {s.sku.id: max(usable[s.sku.id] - s.consumed, 0) for s in listed}
    over = {s.sku.id: max(s.consumed - usable[s.sku.id], 0) for s in listed}
    waste = {
        basis: {
            s.sku.id: 0
            if s.free
            else max(found.get(s.sku.id, 0) + unassigned[s.sku.id] - trial[s.sku.id] - over[s.sku.id], 0)
            for s in listed
        }
        for basis, found in truth.sku_reclaimable.items()
    }
    events = {
        sub.id: event
        for s in listed
        if not s.free
        for sub in s.subscriptions
        if sub.next_lifecycle >= as_of and (event := _event(sub.status, sub.trial)) is not None
    }
    return SeatTruth(
        capability_status={s.sku.id: s.capability_status.value for s in listed},
        purchased=usable,
        unassigned=unassigned,
        over_assigned=over,
        trial_seats=trial,
        waste_seats=waste,
        events=events,
        statuses=dict(Counter(sub.status.value for s in seats for sub in s.subscriptions)),
    )


__all__ = ["GroundTruth", "Report", "SeatTruth", "compute_ground_truth", "compute_seat_truth"]
