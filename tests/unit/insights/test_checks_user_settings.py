"""Default member permissions (checks/user_settings.py)."""

from __future__ import annotations

import pytest

from tests.unit.insights.checks_support import verdict
from tests.unit.insights.policy_builder import authorization, policy_state


@pytest.mark.parametrize(
    ("check", "field"),
    [
        ("tenant-creation-restricted", "allowed_to_create_tenants"),
        ("security-group-creation-restricted", "allowed_to_create_security_groups"),
        ("bitlocker-keys-restricted", "allowed_to_read_bitlocker_keys_for_owned_device"),
    ],
)
@pytest.mark.parametrize(("value", "status"), [(False, "pass"), (True, "fail"), (None, "fail")])
def test_member_may_not(check: str, field: str, value: bool | None, status: str) -> None:
    result = verdict(check, policy_state(authorization=authorization(**{field: value}))).result
    assert (result.status, result.evidence) == (status, {field: value})


def test_one_setting_changes_only_its_own_check() -> None:
    state = policy_state(authorization=authorization(allowed_to_create_tenants=True))
    assert verdict("tenant-creation-restricted", state).result.status == "fail"
    assert verdict("security-group-creation-restricted", state).result.status == "pass"
    assert verdict("users-cannot-register-apps", state).result.status == "pass"
