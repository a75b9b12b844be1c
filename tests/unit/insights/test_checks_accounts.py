"""Account-hygiene checks (checks/accounts.py): the 90-day boundary; findings == count."""

from __future__ import annotations

import pytest

from tests.unit.insights.checks_support import verdict
from tests.unit.insights.state_builder import people, tenant_state


@pytest.mark.parametrize(("stale", "status"), [(0, "pass"), (1, "warn"), (5, "warn"), (6, "fail")])
def test_stale_enabled_accounts_share(stale: int, status: str) -> None:
    state = tenant_state(
        [
            *people(100 - stale, signed_in_days_ago=90),  # 90 days is not stale
            *people(stale, "s", signed_in_days_ago=91),
            *people(4, "d", enabled=False, signed_in_days_ago=None),  # disabled: not counted
        ]
    )
    result = verdict("stale-enabled-accounts", state)
    assert result.result.status == status
    assert result.result.evidence["stale_enabled_90"] == stale
    assert result.result.evidence["enabled_accounts"] == 100


def test_stale_guests_levels() -> None:
    fresh = people(3, "g", guest=True)
    assert verdict("stale-guests", tenant_state(fresh)).result.status == "pass"
    # never signed in: stale only once created more than 90 days ago
    new = people(2, "n", guest=True, signed_in_days_ago=None, created_days_ago=90)
    assert verdict("stale-guests", tenant_state([*fresh, *new])).result.status == "pass"
    old = people(2, "o", guest=True, signed_in_days_ago=None, created_days_ago=91)
    result = verdict("stale-guests", tenant_state([*fresh, *old]))
    assert (result.result.status, result.result.evidence["stale_guests"]) == ("warn", 2)
    licensed = people(1, "l", guest=True, signed_in_days_ago=120, licensed=True)
    result = verdict("stale-guests", tenant_state([*fresh, *old, *licensed]))
    assert (result.result.status, result.result.evidence["stale_licensed_guests"]) == ("fail", 1)
