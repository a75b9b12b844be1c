"""Permanent active assignments of highly privileged roles (checks/pim.py), on hand-made assignments."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from shared.insights.models import CheckResult
from shared.snapshot import records as r
from shared.snapshot.roles import GLOBAL_ADMINISTRATOR
from tests.unit.insights.checks_support import verdict
from tests.unit.insights.state_builder import EVERYTHING, USER_ADMIN, global_admins, policy, tenant_state
from tests.unit.insights.test_checks_conditional_access import P2, sku

END = datetime(2026, 3, 1, 16, tzinfo=UTC)
BREAK_GLASS = "break-glass"  # excluded from every policy by `policy()`


def active(
    principal: str, role: str = GLOBAL_ADMINISTRATOR, kind: str = "Assigned", end: datetime | None = None
) -> r.RoleAssignmentScheduleInstance:
    return r.RoleAssignmentScheduleInstance(
        id=f"{principal}-{role}",
        principal_id=principal,
        role_definition_id=role,
        assignment_type=kind,
        end_date_time=end,
    )


def judged(
    *assignments: r.RoleAssignmentScheduleInstance, skus: tuple[r.SubscribedSku, ...] = P2
) -> CheckResult:
    state = replace(
        tenant_state(global_admins(1), policies=(policy(),), skus=skus), active_assignments=assignments
    )
    return verdict("no-permanent-privileged-assignments", state).result


GA0 = "00000000-0000-0000-0000-000000000000"  # ga0@contoso.com in the hand-made table


@pytest.mark.parametrize(
    ("assignments", "status", "standing", "names"),
    [
        ((), "pass", 0, ""),
        ((active(GA0, kind="Activated", end=END),), "pass", 0, ""),  # just in time
        ((active(GA0, end=END),), "pass", 0, ""),  # assigned for a while, not permanently
        ((active(BREAK_GLASS.upper()),), "pass", 0, ""),  # the emergency account, ids compared case-blind
        ((active(GA0),), "fail", 1, "ga0@contoso.com (Global Administrator)"),
        ((active("someone-else", USER_ADMIN),), "fail", 1, "someone-else (User Administrator)"),
    ],
)
def test_no_permanent_privileged_assignments(
    assignments: tuple[r.RoleAssignmentScheduleInstance, ...], status: str, standing: int, names: str
) -> None:
    result = judged(*assignments)
    assert (result.status, result.evidence["standing_assignments"], result.evidence["names"]) == (
        status,
        standing,
        names,
    )


def test_the_emergency_account_is_counted_apart() -> None:
    result = judged(active(BREAK_GLASS), active(GA0))
    assert result.evidence["permanent_assignments"] == 2
    assert result.evidence["emergency_accounts_exempt"] == 1


@pytest.mark.parametrize("skus", [(), (sku("AAD_PREMIUM"),), (sku("AAD_PREMIUM_P2", enabled=0),)])
def test_without_p2_it_is_not_licensed(skus: tuple[r.SubscribedSku, ...]) -> None:
    result = judged(active(GA0), skus=skus)
    assert (result.status, result.not_applicable) == ("not_applicable", "not_licensed")
    assert "Entra ID P2" in (result.reason or "")


def test_a_failed_read_is_never_called_a_missing_licence() -> None:
    statuses = {**EVERYTHING, "role_assignment_schedule_instances": "failed"}
    result = verdict("no-permanent-privileged-assignments", tenant_state(statuses=statuses)).result
    assert result.not_applicable == "data_unreadable"


def approval(required: bool | None, role: str = GLOBAL_ADMINISTRATOR) -> r.RoleActivationPolicy:
    return r.RoleActivationPolicy(role_definition_id=role, approval_required=required)


@pytest.mark.parametrize(
    ("policies", "status"),
    [
        ((approval(True),), "pass"),
        ((approval(False),), "fail"),
        ((approval(None),), "fail"),  # no approval rule: activation is not approved
        ((approval(True, USER_ADMIN), approval(False)), "fail"),  # another role's approval does not count
    ],
)
def test_global_admin_activation_approval(policies: tuple[r.RoleActivationPolicy, ...], status: str) -> None:
    state = replace(tenant_state(skus=P2), activation_policies=policies)
    assert verdict("global-admin-activation-approval", state).result.status == status


@pytest.mark.parametrize(
    ("policies", "skus", "cause"),
    [
        ((), P2, "data_unreadable"),  # no Global Administrator policy returned
        ((approval(True),), (), "not_licensed"),
    ],
)
def test_global_admin_activation_approval_not_applicable(
    policies: tuple[r.RoleActivationPolicy, ...], skus: tuple[r.SubscribedSku, ...], cause: str
) -> None:
    state = replace(tenant_state(skus=skus), activation_policies=policies)
    result = verdict("global-admin-activation-approval", state).result
    assert (result.status, result.not_applicable) == ("not_applicable", cause)
