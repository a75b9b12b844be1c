"""Conditional Access checks (checks/conditional_access.py) on hand-made policies."""

from __future__ import annotations

import pytest

from shared.insights.state import CaPolicy
from shared.snapshot import records as r
from shared.snapshot.roles import GLOBAL_ADMINISTRATOR
from tests.unit.insights.checks_support import verdict
from tests.unit.insights.state_builder import (
    EVERYTHING,
    HELPDESK,
    global_admins,
    people,
    policy,
    tenant_state,
)


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


PHISHING_RESISTANT = "00000000-0000-0000-0000-000000000004"
MFA_STRENGTH = "00000000-0000-0000-0000-000000000002"  # built-in "Multifactor authentication"


def strength(strength_id: str = PHISHING_RESISTANT, **changes: object) -> CaPolicy:
    base = {"client_app_types": ("all",), "built_in_controls": (), "authentication_strength": strength_id}
    return policy(**{**base, **changes})


@pytest.mark.parametrize(
    ("policies", "status"),
    [
        ((strength(),), "pass"),
        ((strength(MFA_STRENGTH),), "fail"),  # any MFA is not phishing-resistant
        ((strength(state="enabledForReportingButNotEnforced"),), "fail"),
        ((strength(include_users=(), include_roles=(GLOBAL_ADMINISTRATOR,)),), "fail"),  # admins only
        ((strength(include_applications=("office365",)),), "fail"),
        ((policy(client_app_types=(), built_in_controls=("mfa",)),), "fail"),
    ],
)
def test_phishing_resistant_mfa_for_all(policies: tuple[CaPolicy, ...], status: str) -> None:
    assert verdict("phishing-resistant-mfa-for-all", tenant_state(policies=policies)).result.status == status


ADMINS = [*global_admins(2), *people(1, "hd", roles=(HELPDESK,))]


@pytest.mark.parametrize(
    ("policies", "status", "uncovered"),
    [
        ((strength(),), "pass", ""),  # all users covers every role
        ((strength(include_users=(), include_roles=(GLOBAL_ADMINISTRATOR, HELPDESK)),), "pass", ""),
        (
            (strength(include_users=(), include_roles=(GLOBAL_ADMINISTRATOR,)),),
            "fail",
            "Helpdesk Administrator",
        ),
        (
            (strength(MFA_STRENGTH, include_users=(), include_roles=(GLOBAL_ADMINISTRATOR, HELPDESK)),),
            "fail",
            "Global Administrator;Helpdesk Administrator",
        ),
        ((), "fail", "Global Administrator;Helpdesk Administrator"),
    ],
)
def test_phishing_resistant_mfa_for_admins(
    policies: tuple[CaPolicy, ...], status: str, uncovered: str
) -> None:
    result = verdict("phishing-resistant-mfa-for-admins", tenant_state(ADMINS, policies=policies)).result
    assert (result.status, result.evidence["roles_not_covered"]) == (status, uncovered)
    assert result.evidence["privileged_roles_held"] == 2


def test_phishing_resistant_mfa_for_admins_passes_without_admins() -> None:
    assert verdict("phishing-resistant-mfa-for-admins", tenant_state()).result.status == "pass"


def sku(plan: str, enabled: int = 10) -> r.SubscribedSku:
    return r.SubscribedSku(
        sku_id="84a661c4-e949-4bd2-a560-ed7766fcaf2b",
        sku_part_number="AAD_PREMIUM_P2",
        capability_status="Enabled" if enabled else "Deleted",
        consumed_units=1,
        prepaid_enabled=enabled,
        service_plans=[
            r.ServicePlan(service_plan_id="eec0eb4f-6444-4f95-aba0-50c24d67f998", service_plan_name=plan)
        ],
    )


P2 = (sku("AAD_PREMIUM_P2"),)
RISK = "high-risk-users-blocked", "user_risk_levels"
SIGN_IN_RISK = "high-risk-sign-ins-blocked", "sign_in_risk_levels"


@pytest.mark.parametrize("rule", [RISK, SIGN_IN_RISK])
@pytest.mark.parametrize(
    ("levels", "changes", "status"),
    [
        (("high",), {}, "pass"),
        (("medium", "high"), {}, "pass"),
        (("medium",), {}, "fail"),  # high risk left open
        (("high",), {"built_in_controls": ("mfa",)}, "fail"),  # SCuBA asks for a block
        (("high",), {"state": "disabled"}, "fail"),
        ((), {}, "fail"),
    ],
)
def test_high_risk_blocked(
    rule: tuple[str, str], levels: tuple[str, ...], changes: dict[str, object], status: str
) -> None:
    check, field = rule
    policies = (policy(client_app_types=("all",), **{field: levels, **changes}),)
    assert verdict(check, tenant_state(policies=policies, skus=P2)).result.status == status


@pytest.mark.parametrize("check", [RISK[0], SIGN_IN_RISK[0]])
@pytest.mark.parametrize("skus", [(), (sku("AAD_PREMIUM"),), (sku("AAD_PREMIUM_P2", enabled=0),)])
def test_high_risk_blocked_is_not_licensed_without_p2(check: str, skus: tuple[r.SubscribedSku, ...]) -> None:
    policies = (policy(user_risk_levels=("high",), sign_in_risk_levels=("high",)),)
    result = verdict(check, tenant_state(policies=policies, skus=skus)).result
    assert (result.status, result.not_applicable) == ("not_applicable", "not_licensed")
    assert "Entra ID P2" in (result.reason or "")
    assert result.licence == "Microsoft Entra ID P2"


def test_high_risk_blocked_says_data_unreadable_before_licence() -> None:
    """A failed policy read is never reported as a missing licence."""
    statuses = {**EVERYTHING, "conditional_access_policies": "failed"}
    result = verdict(RISK[0], tenant_state(statuses=statuses)).result
    assert result.not_applicable == "data_unreadable"


@pytest.mark.parametrize(
    ("policies", "status", "excluded"),
    [
        ((policy(), strength(exclude_users=("Break-Glass",))), "pass", 1),  # ids compared case-blind
        (
            (policy(exclude_users=(), exclude_groups=("bg-group",)), strength(exclude_groups=("BG-group",))),
            "pass",
            1,
        ),
        ((policy(), strength(exclude_users=("someone-else",))), "fail", 0),  # no one excluded from both
        (
            (policy(), strength(exclude_users=(), state="disabled")),
            "pass",
            1,
        ),  # disabled policies lock no one out
        ((policy(exclude_users=()),), "fail", 0),
        ((), "pass", 0),
    ],
)
def test_break_glass_excluded(policies: tuple[CaPolicy, ...], status: str, excluded: int) -> None:
    result = verdict("break-glass-excluded", tenant_state(policies=policies)).result
    assert (result.status, result.evidence["excluded_from_all"]) == (status, excluded)


DEVICES = ("compliantDevice", "domainJoinedDevice")


def device(**changes: object) -> CaPolicy:
    return policy(**{"client_app_types": ("all",), "built_in_controls": DEVICES, **changes})


@pytest.mark.parametrize(
    ("policies", "status"),
    [
        ((device(),), "pass"),  # compliant or hybrid joined
        ((device(built_in_controls=("compliantDevice",)),), "pass"),
        ((device(built_in_controls=("domainJoinedDevice",)),), "pass"),
        ((device(built_in_controls=("mfa", "compliantDevice"), grant_operator="AND"),), "pass"),
        ((device(built_in_controls=("mfa", "compliantDevice"), grant_operator="OR"),), "fail"),  # MFA alone
        ((device(state="enabledForReportingButNotEnforced"),), "fail"),
        ((device(include_users=("some-group-member",)),), "fail"),
        ((device(include_applications=("office365",)),), "fail"),
        ((policy(built_in_controls=("mfa",)),), "fail"),
        ((), "fail"),
    ],
)
def test_managed_device_required(policies: tuple[CaPolicy, ...], status: str) -> None:
    result = verdict("managed-device-required", tenant_state(policies=policies)).result
    assert (result.status, result.evidence["requiring_policies"]) == (status, int(status == "pass"))


REGISTER = "urn:user:registersecurityinfo"


def registration(**changes: object) -> CaPolicy:
    return device(**{"include_applications": (), "include_user_actions": (REGISTER,), **changes})


@pytest.mark.parametrize(
    ("policies", "status"),
    [
        ((registration(),), "pass"),
        ((registration(include_user_actions=("urn:user:registerdevice",)),), "fail"),  # joining devices
        ((registration(built_in_controls=("mfa",)),), "fail"),
        ((registration(built_in_controls=("mfa", "compliantDevice")),), "fail"),  # OR: MFA alone
        ((registration(state="disabled"),), "fail"),
        ((registration(include_users=(), include_roles=(GLOBAL_ADMINISTRATOR,)),), "fail"),  # admins only
        ((device(),), "fail"),  # sign-in from managed devices does not cover the registration action
    ],
)
def test_managed_device_to_register_mfa(policies: tuple[CaPolicy, ...], status: str) -> None:
    assert verdict("managed-device-to-register-mfa", tenant_state(policies=policies)).result.status == status
