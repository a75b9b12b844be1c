"""Privileged-role checks (checks/privileged.py): boundaries on hand-made tenants; findings == count."""

from __future__ import annotations

import pytest

from shared.insights.utilisation import PriceInfo
from tests.unit.insights.checks_support import verdict
from tests.unit.insights.state_builder import USER_ADMIN, global_admins, people, tenant_state


@pytest.mark.parametrize(
    ("count", "status"), [(0, "fail"), (1, "fail"), (2, "pass"), (8, "pass"), (9, "fail")]
)
def test_global_admin_count_boundaries(count: int, status: str) -> None:
    result = verdict("global-admin-count", tenant_state([*global_admins(count), *people(3)]))
    assert result.result.status == status
    assert result.result.evidence["global_admins"] == count == len(result.offenders)


@pytest.mark.parametrize(
    ("admins", "others", "status"),
    [(3, 3, "pass"), (3, 2, "fail"), (2, 9, "pass"), (1, 9, "fail"), (9, 20, "fail")],
)
def test_global_admin_ratio_boundaries(admins: int, others: int, status: str) -> None:
    # pass: 2 ≤ GA ≤ 8 and GA ≤ users holding other highly privileged roles
    state = tenant_state([*global_admins(admins), *people(others, "ua", roles=(USER_ADMIN,))])
    result = verdict("global-admin-ratio", state)
    assert result.result.status == status
    assert result.result.evidence["other_privileged_users"] == others


def test_synced_admins_zero_tolerance() -> None:
    assert verdict("synced-admins", tenant_state(global_admins(2))).result.status == "pass"
    result = verdict("synced-admins", tenant_state([*global_admins(2), *global_admins(1, synced=True)]))
    assert (result.result.status, result.result.evidence["synced_admins"]) == ("fail", 1)


@pytest.mark.parametrize(("days", "status"), [(90, "pass"), (91, "fail"), (None, "fail")])
def test_inactive_licensed_admins_at_90_days_with_their_cost(days: int | None, status: str) -> None:
    gbp = PriceInfo(currency="GBP", monthly=46.9)
    state = tenant_state(
        [
            *global_admins(2, licensed=True, signed_in_days_ago=days),
            *people(1, "u", roles=global_admins(1)[0].roles, signed_in_days_ago=None),
        ],
        price=gbp,
    )
    result = verdict("inactive-licensed-admins", state)
    assert result.result.status == status
    stale = 2 if status == "fail" else 0  # the unlicensed one never counts
    assert result.result.evidence["inactive_licensed_admins_90"] == stale
    assert result.result.evidence["monthly_cost"] == pytest.approx(46.9 * stale)


def test_disabled_role_holders() -> None:
    state = tenant_state([*global_admins(2), *global_admins(1, enabled=False)])
    result = verdict("disabled-role-holders", state)
    assert (result.result.status, result.result.evidence["disabled_role_holders"]) == ("fail", 1)
    assert verdict("disabled-role-holders", tenant_state(global_admins(2))).result.status == "pass"
