"""Privileged Identity Management: highly privileged roles are held just in time, not permanently, and
activating Global Administrator needs an approver (ScubaGear MS.AAD.7.4 and 7.6; both need Entra ID P2,
judged from the tenant's plans)."""

from __future__ import annotations

from shared.insights.assurance import Outcome, TenantRule
from shared.insights.checks.conditional_access import P2_PLAN, excluded_from_every_policy
from shared.insights.checks.sources import P2, declare
from shared.insights.state import TenantState
from shared.snapshot import Dataset
from shared.snapshot.roles import GLOBAL_ADMINISTRATOR, role_name

NOT_LICENSED = Outcome(
    "not_applicable",
    {},
    f"not licensed: Privileged Identity Management needs {P2} (no subscribed SKU includes {P2_PLAN})",
    "not_licensed",
)


def _permanent_active(state: TenantState) -> Outcome:
    """Permanent active assignments (assigned, no end date) of highly privileged roles, except to
    emergency access accounts: those excluded from every enabled Conditional Access policy, which
    Microsoft advises to assign Global Administrator permanently (learn.microsoft.com/entra/identity/
    role-based-access-control/security-emergency-access)."""
    if not state.holds_plan(P2_PLAN):
        reason = (
            f"not licensed: Privileged Identity Management needs {P2} (no subscribed SKU includes {P2_PLAN})"
        )
        return Outcome("not_applicable", {}, reason, "not_licensed")
    permanent = [
        a
        for a in state.active_assignments
        if (a.assignment_type or "").lower() == "assigned" and a.end_date_time is None
    ]
    emergency = excluded_from_every_policy(state)
    standing = [a for a in permanent if a.principal_id.lower() not in emergency]
    named = sorted({f"{_who(state, a.principal_id)} ({role_name(a.role_definition_id)})" for a in standing})
    return Outcome(
        "fail" if standing else "pass",
        {
            "permanent_assignments": len(permanent),
            "emergency_accounts_exempt": len(permanent) - len(standing),
            "standing_assignments": len(standing),
            "names": ";".join(named),
        },
    )


def _who(state: TenantState, principal: str) -> str:
    index = state.table.by_id.get(principal.lower())
    return state.table.upn[index] if index is not None else principal


PERMANENT_PRIVILEGED_ASSIGNMENTS = TenantRule(
    declare(
        "no-permanent-privileged-assignments",
        "Highly privileged roles are activated just in time, not held permanently",
        "high",
        baselines=("MS.AAD.7.4v1",),
        rationale="A standing Global Administrator is a permanent target; with PIM the role exists only for "
        "the hours it is activated, with a reason and an audit trail.",
        remediation="Entra admin centre › Identity governance › Privileged Identity Management › Microsoft "
        "Entra roles › Assignments: convert permanent active assignments of highly privileged roles to "
        "eligible ones (keep only the emergency access accounts permanent, excluded from Conditional "
        "Access).",
        requires=(
            Dataset.ROLE_ASSIGNMENT_SCHEDULE_INSTANCES,
            Dataset.CONDITIONAL_ACCESS_POLICIES,
            Dataset.SUBSCRIBED_SKUS,
        ),
        licence=P2,
    ),
    _permanent_active,
)


def _activation_approval(state: TenantState) -> Outcome:
    if not state.holds_plan(P2_PLAN):
        return NOT_LICENSED
    policy = next(
        (p for p in state.activation_policies if p.role_definition_id == GLOBAL_ADMINISTRATOR), None
    )
    if policy is None:
        reason = "data could not be read: role_activation_policies has no Global Administrator policy"
        return Outcome("not_applicable", {}, reason, "data_unreadable")
    return Outcome(
        "pass" if policy.approval_required else "fail", {"approval_required": policy.approval_required}
    )


GLOBAL_ADMIN_ACTIVATION_APPROVAL = TenantRule(
    declare(
        "global-admin-activation-approval",
        "Activating Global Administrator needs an approver",
        "high",
        baselines=("MS.AAD.7.6v1",),
        rationale="A second person approving each activation stops a stolen eligible account from taking "
        "the directory on its own.",
        remediation="Entra admin centre › Identity governance › Privileged Identity Management › Microsoft "
        "Entra roles › Settings › Global Administrator: 'Require approval to activate', with approvers.",
        requires=(Dataset.ROLE_ACTIVATION_POLICIES, Dataset.SUBSCRIBED_SKUS),
        licence=P2,
    ),
    _activation_approval,
)
