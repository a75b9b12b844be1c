"""MFA checks (checks/mfa.py): boundaries on hand-made tenants; findings rows == the count."""

from __future__ import annotations

import pytest

from tests.unit.insights.checks_support import verdict
from tests.unit.insights.state_builder import global_admins, people, tenant_state


@pytest.mark.parametrize(
    ("registered", "members", "status"),
    [
        (20, 20, "pass"),  # 100 %
        (19, 20, "pass"),  # 95.0 % ≥ 95
        (189, 200, "warn"),  # 94.5 % < 95
        (16, 20, "warn"),  # 80.0 % ≥ 80
        (159, 200, "fail"),  # 79.5 % < 80
        (0, 0, "warn"),  # no enabled member: coverage unknown
    ],
)
def test_mfa_registration_coverage_boundaries(registered: int, members: int, status: str) -> None:
    state = tenant_state(
        [
            *people(registered),
            *people(members - registered, "x", mfa=False),
            *people(3, "g", guest=True, mfa=False),  # guests are not members
            *people(2, "d", enabled=False, mfa=False),  # nor are disabled accounts
        ]
    )
    result = verdict("mfa-registration-coverage", state)
    assert result.result.status == status
    assert result.result.evidence["enabled_members"] == members
    assert result.result.evidence["registered_enabled_members"] == registered
    assert len(result.offenders) == members - registered


def test_admins_without_mfa_counts_and_lists_each_one() -> None:
    state = tenant_state([*global_admins(2), *global_admins(1, mfa=False), *people(5, mfa=False)])
    result = verdict("admins-without-mfa", state)
    assert (result.result.status, result.result.evidence["admins_without_mfa"]) == ("fail", 1)
    assert verdict("admins-without-mfa", tenant_state(global_admins(3))).result.status == "pass"


@pytest.mark.parametrize(("without", "status"), [(0, "pass"), (1, "warn"), (5, "warn"), (6, "fail")])
def test_licensed_without_mfa_pass_at_zero_warn_to_5_pct_then_fail(without: int, status: str) -> None:
    state = tenant_state(
        [
            *people(100 - without, licensed=True),
            *people(without, "x", licensed=True, mfa=False),
            *people(10, "u", mfa=False),  # unlicensed: not counted
        ]
    )
    result = verdict("licensed-without-mfa", state)
    assert result.result.status == status
    assert result.result.evidence["licensed_without_mfa"] == without
    assert result.result.evidence["licensed_enabled"] == 100
