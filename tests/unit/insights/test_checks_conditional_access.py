"""Conditional Access checks (checks/conditional_access.py) on hand-made policies."""

from __future__ import annotations

import pytest

from shared.insights.state import CaPolicy
from tests.unit.insights.checks_support import verdict
from tests.unit.insights.state_builder import policy, tenant_state


@pytest.mark.parametrize(
    ("policies", "status"),
    [
        ((policy(),), "pass"),
        ((policy(state="enabledForReportingButNotEnforced"),), "fail"),  # report-only does not block
        ((policy(client_app_types=("exchangeActiveSync",)),), "fail"),  # "other clients" left open
        ((policy(include_users=("some-group-member",)),), "fail"),  # not all users
        ((policy(include_applications=("office365",)),), "fail"),  # not all apps
        ((policy(built_in_controls=("mfa",)),), "fail"),  # not a block
        ((), "fail"),
    ],
)
def test_legacy_auth_blocked(policies: tuple[CaPolicy, ...], status: str) -> None:
    assert verdict("legacy-auth-blocked", tenant_state(policies=policies)).result.status == status


@pytest.mark.parametrize(
    ("policies", "status"),
    [
        ((policy(client_app_types=(), built_in_controls=("mfa",)),), "pass"),
        ((policy(client_app_types=("all",), built_in_controls=("mfa", "compliantDevice")),), "pass"),
        ((policy(client_app_types=("browser",), built_in_controls=("mfa",)),), "fail"),  # one client type
        ((policy(state="disabled", client_app_types=(), built_in_controls=("mfa",)),), "fail"),
        ((policy(),), "fail"),  # the legacy block alone does not require MFA
    ],
)
def test_mfa_required_for_all(policies: tuple[CaPolicy, ...], status: str) -> None:
    assert verdict("mfa-required-for-all", tenant_state(policies=policies)).result.status == status
