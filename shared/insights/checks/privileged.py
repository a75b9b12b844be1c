"""Privileged roles: how many Global Administrators, fine-grained roles, cloud-only and unused admins."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from shared.insights.assurance import AccountRule, Outcome, none_allowed
from shared.insights.checks.sources import declare
from shared.insights.rounding import stat
from shared.insights.state import STALE_DAYS, RoleHolder, TenantState
from shared.snapshot import Dataset
from shared.snapshot.roles import HIGHLY_PRIVILEGED_ROLES

GA_MIN, GA_MAX = 2, 8  # MS.AAD.7.1v1


def _is_global_admin(state: TenantState, holder: RoleHolder) -> bool:
    return holder.global_admin


def _global_admin_detail(state: TenantState, holder: RoleHolder) -> str:
    held = next(n for n in state.role_names(holder).split(";") if n.startswith("Global Administrator"))
    return f"holds {held}"


def _count(state: TenantState, offenders: Sequence[RoleHolder]) -> Outcome:
    n = len(offenders)
    ok = GA_MIN <= n <= GA_MAX
    return Outcome(
        "pass" if ok else "fail",
        {"global_admins": n, "minimum": GA_MIN, "maximum": GA_MAX},
        None if ok else ("too few: no break-glass cover" if n < GA_MIN else "too many"),
    )


ROLES = (Dataset.ROLE_ASSIGNMENTS,)

GLOBAL_ADMIN_COUNT = AccountRule[RoleHolder](
    declare(
        "global-admin-count",
        "Between 2 and 8 Global Administrators",
        "high",
        baselines=("MS.AAD.7.1v1",),
        rationale="Fewer than two leaves no break-glass cover; more than eight widens the most powerful "
        "role beyond need.",
        remediation="Keep at least two (break-glass cover) and at most eight Global Administrators.",
        requires=ROLES,
    ),
    subjects=lambda state: state.holders,
    offends=_is_global_admin,
    grade=_count,
    detail=_global_admin_detail,
)


def _ratio(state: TenantState, offenders: Sequence[RoleHolder]) -> Outcome:
    global_admins = len(offenders)
    others = sum(
        1 for h in state.holders if not h.global_admin and not h.roles.isdisjoint(HIGHLY_PRIVILEGED_ROLES)
    )
    ok = GA_MIN <= global_admins <= GA_MAX and global_admins <= others
    ratio = stat(Fraction(global_admins, others)) if others else None
    return Outcome(
        "pass" if ok else "fail",
        {"global_admins": global_admins, "other_privileged_users": others, "ratio": ratio},
    )


GLOBAL_ADMIN_RATIO = AccountRule[RoleHolder](
    declare(
        "global-admin-ratio",
        "Fine-grained roles preferred over Global Administrator",
        "medium",
        baselines=("MS.AAD.7.2v1",),
        rationale="Most administration needs a narrower role; Global Administrator should be the exception.",
        remediation="Move administrators to least-privileged roles so that Global Administrators are no more "
        "numerous than users holding other privileged roles.",
        requires=ROLES,
    ),
    subjects=lambda state: state.holders,
    offends=_is_global_admin,
    grade=_ratio,
    detail=_global_admin_detail,
)


def _synced(state: TenantState, offenders: Sequence[RoleHolder]) -> Outcome:
    return Outcome(
        none_allowed(len(offenders)), {"admins": len(state.holders), "synced_admins": len(offenders)}
    )


SYNCED_ADMINS = AccountRule[RoleHolder](
    declare(
        "synced-admins",
        "Privileged accounts are cloud-only",
        "high",
        baselines=("MS.AAD.7.3v1",),
        rationale="A synchronised administrator can be taken over from a compromised on-premises directory.",
        remediation="Give administrators cloud-only accounts (not synchronised from on-premises AD) for "
        "their roles.",
        requires=(Dataset.ROLE_ASSIGNMENTS, Dataset.USERS),
    ),
    subjects=lambda state: state.holders,
    offends=lambda state, holder: holder.synced,
    grade=_synced,
    detail=lambda state, holder: f"synchronised from on-premises; roles: {state.role_names(holder)}",
)


def _inactive_licensed(state: TenantState, holder: RoleHolder) -> bool:
    return holder.index is not None and state.licensed(holder.index) and state.inactive(holder.index)


def _inactive(state: TenantState, offenders: Sequence[RoleHolder]) -> Outcome:
    return Outcome(
        none_allowed(len(offenders)),
        {
            "admins": len(state.holders),
            "inactive_licensed_admins_90": len(offenders),
            "monthly_cost": state.total_monthly_cost(h.index for h in offenders),
            "currency": state.currency,
        },
    )


INACTIVE_LICENSED_ADMINS = AccountRule[RoleHolder](
    declare(
        "inactive-licensed-admins",
        f"Licensed administrators inactive for {STALE_DAYS} days (waste × risk)",
        "high",
        rationale="An unused administrator is both spend and an unwatched attack path.",
        remediation="Remove directory roles and licences from administrator accounts no longer in use; they "
        "are both spend and an attack path.",
        requires=(Dataset.ROLE_ASSIGNMENTS, Dataset.USERS),
    ),
    subjects=lambda state: state.holders,
    offends=_inactive_licensed,
    grade=_inactive,
    detail=lambda state, holder: f"last activity {state.last_activity_iso(holder) or 'never'}",
)


def _disabled(state: TenantState, holder: RoleHolder) -> bool:
    return holder.index is not None and not state.enabled(holder.index)


def _disabled_holders(state: TenantState, offenders: Sequence[RoleHolder]) -> Outcome:
    return Outcome(
        none_allowed(len(offenders)), {"admins": len(state.holders), "disabled_role_holders": len(offenders)}
    )


DISABLED_ROLE_HOLDERS = AccountRule[RoleHolder](
    declare(
        "disabled-role-holders",
        "Disabled accounts still holding privileged roles",
        "medium",
        rationale="Re-enabling a disabled account silently restores its roles; offboarding should remove "
        "them.",
        remediation="Remove the role assignments of disabled accounts (Entra admin centre › Identity › "
        "Roles & admins › the role › Assignments), or delete the accounts.",
        requires=(Dataset.ROLE_ASSIGNMENTS, Dataset.USERS),
    ),
    subjects=lambda state: state.holders,
    offends=_disabled,
    grade=_disabled_holders,
    detail=lambda state, holder: f"account disabled; roles: {state.role_names(holder)}",
)
