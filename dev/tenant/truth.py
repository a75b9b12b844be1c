"""Ground truth: counts of every planted fact, folded from one streaming pass over the accounts.

Definitions (the tests and insights compare against these):
- licensed: holds at least one `assignedLicenses` entry. Inactivity counts only enabled licensed accounts.
- blended last activity: latest of lastSuccessfulSignInDateTime, lastNonInteractiveSignInDateTime and any
  workload "Last Activity Date" in the usage reports; inactive at N days when older than N days or none.
  `_signin` and `_reports` variants use one source each (non-premium tenants, concealed reports).
- never signed in: no successful or non-interactive sign-in (signInActivity null, all-null or sentinel).
- stale guest: enabled guest whose last sign-in is older than 90 days, or never and created > 90 days ago.
- redundant assignment: licence B of an account for which another held licence A satisfies
  `Catalogue.redundant(A, B)` (B's enabled billable plans ⊆ A's enabled plans).
- admins: distinct users with at least one directory role; synced admins have onPremisesSyncEnabled.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from dev.tenant.activity import Workload
from dev.tenant.reports import DETAIL_ROWS, PERIODS, Report
from dev.tenant.roles import GLOBAL_ADMIN

if TYPE_CHECKING:
    from dev.tenant.account import Account
    from dev.tenant.tenant import Tenant

INACTIVITY_DAYS = (30, 60, 90)
ADOPTION_DAYS = (7, 30, 90)


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
    role_assignments: dict[str, int]  # role definition id → user assignments
    mfa_registered: int
    mfa_registered_enabled_members: int
    enabled_members: int
    never_signed_in: int
    signin_null: int  # signInActivity: null
    failed_signin_only: int  # lastSignInDateTime set, but no successful or non-interactive sign-in
    stale_enabled_90: int  # enabled accounts without a sign-in in 90 days (never included)
    inactive_licensed: dict[int, int]
    inactive_licensed_signin: dict[int, int]
    inactive_licensed_reports: dict[int, int]
    sku_consumed: dict[str, int]  # sku id → accounts holding it (= subscribedSkus consumedUnits)
    redundant_assignments: int
    redundant_by_sku: dict[str, int]  # the redundant SKU (B) → count
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


def compute_ground_truth(tenant: Tenant) -> GroundTruth:
    n: Counter[str] = Counter()
    roles: Counter[str] = Counter()
    skus: Counter[str] = Counter()
    redundant: Counter[str] = Counter()
    rows: Counter[str] = Counter()
    departments: Counter[str] = Counter()
    workload_licensed: Counter[str] = Counter()
    workload_active: Counter[tuple[str, int]] = Counter()
    inactive: Counter[tuple[str, int]] = Counter()
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
            signin is None and act.sign_in is not None and act.sign_in.interactive is not None
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
        if a.roles:
            n["admins"] += 1
            n["synced_admins"] += a.synced
            n["admins_without_mfa"] += not a.mfa.registered
            n["inactive_licensed_admins_90"] += a.licensed and _older(act.last_any(), 90)
            roles.update(a.roles)
        if a.licensed:
            n["licensed"] += 1
            n["guests_licensed"] += a.guest
            n["disabled_licensed"] += not a.enabled
            n["disabled_plan_assignments"] += sum(bool(lic.disabled_plans) for lic in a.licences)
            skus.update(lic.sku_id for lic in a.licences)
            redundant.update(_redundant(tenant, a))
            if a.enabled:
                for days in INACTIVITY_DAYS:
                    inactive["blended", days] += _older(act.last_any(), days)
                    inactive["signin", days] += _older(signin, days)
                    inactive["reports", days] += _older(act.last_workload(), days)
        for workload in a.workloads:
            workload_licensed[workload.value] += 1
            for days in ADOPTION_DAYS:
                workload_active[workload.value, days] += not _older(act.workloads.get(workload), days)
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
    )


__all__ = ["GroundTruth", "Report", "compute_ground_truth"]
