"""SharePoint and OneDrive sharing and session settings (checks/sharepoint.py)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from dev.tenant.policies import HARDENED, TYPICAL
from shared.insights.state import TenantState
from shared.snapshot import records as r
from tests.unit.insights.checks_support import verdict
from tests.unit.insights.conftest import Build
from tests.unit.insights.state_builder import EVERYTHING, tenant_state
from tests.unit.insights.test_checks_conditional_access import sku

HOUR = 3600
CHECKS = (
    "sharepoint-external-sharing",
    "sharepoint-sharing-domains-restricted",
    "sharepoint-guest-resharing-blocked",
    "sharepoint-guests-use-invited-account",
    "sharepoint-legacy-auth-blocked",
    "onedrive-sync-managed-devices-only",
    "sharepoint-idle-session-sign-out",
)


E3 = (sku("SHAREPOINTENTERPRISE"),)


def settings(**changes: Any) -> r.SharePointSettings:
    """Compliant settings unless told otherwise."""
    base: dict[str, Any] = {
        "sharing_capability": "existingExternalUserSharingOnly",
        "sharing_domain_restriction_mode": "allowList",
        "sharing_allowed_domains": 2,
        "is_resharing_by_external_users_enabled": False,
        "is_require_accepting_user_to_match_invited_user_enabled": True,
        "is_legacy_auth_protocols_enabled": False,
        "is_unmanaged_sync_app_for_tenant_restricted": True,
        "sync_allowed_domains": 1,
        "idle_session_sign_out_enabled": True,
        "idle_session_sign_out_after_seconds": HOUR,
    }
    return r.SharePointSettings(**{**base, **changes})


def state(document: r.SharePointSettings | None, skus: tuple[r.SubscribedSku, ...] = E3) -> TenantState:
    return replace(tenant_state(skus=skus), sharepoint=document)


def status(check: str, **changes: Any) -> str:
    return verdict(check, state(settings(**changes))).result.status


def test_compliant_settings_pass_every_check() -> None:
    assert {check: status(check) for check in CHECKS} == dict.fromkeys(CHECKS, "pass")


@pytest.mark.parametrize(
    ("capability", "expected"),
    [
        ("externalUserAndGuestSharing", "fail"),  # "Anyone" links
        ("externalUserSharingOnly", "warn"),  # new guests: CIS's bar, not CISA's
        ("existingExternalUserSharingOnly", "pass"),
        ("disabled", "pass"),
        ("unknownFutureValue", "warn"),
        (None, "warn"),
    ],
)
def test_external_sharing_level(capability: str | None, expected: str) -> None:
    result = verdict("sharepoint-external-sharing", state(settings(sharing_capability=capability))).result
    assert (result.status, result.evidence) == (expected, {"sharing_capability": capability})


@pytest.mark.parametrize(
    ("capability", "mode", "allowed", "expected"),
    [
        ("externalUserSharingOnly", "allowList", 1, "pass"),
        ("externalUserSharingOnly", "allowList", 0, "fail"),  # an empty allow list restricts nothing
        ("externalUserSharingOnly", "blockList", 0, "warn"),
        ("externalUserSharingOnly", "none", 0, "fail"),
        ("externalUserAndGuestSharing", "none", 0, "fail"),
        ("disabled", "none", 0, "pass"),  # nothing leaves the organisation
    ],
)
def test_sharing_limited_to_allowed_domains(capability: str, mode: str, allowed: int, expected: str) -> None:
    changes = {
        "sharing_capability": capability,
        "sharing_domain_restriction_mode": mode,
        "sharing_allowed_domains": allowed,
    }
    result = verdict("sharepoint-sharing-domains-restricted", state(settings(**changes))).result
    assert result.status == expected
    assert result.evidence == {
        "sharing_capability": capability,
        "sharing_domain_restriction_mode": mode,
        "allowed_domains": allowed,
    }


@pytest.mark.parametrize(
    ("check", "field", "bad"),
    [
        ("sharepoint-guest-resharing-blocked", "is_resharing_by_external_users_enabled", True),
        (
            "sharepoint-guests-use-invited-account",
            "is_require_accepting_user_to_match_invited_user_enabled",
            False,
        ),
    ],
)
def test_guest_settings_fail_when_open_and_pass_when_nothing_is_shared_outside(
    check: str, field: str, bad: bool
) -> None:
    assert status(check, **{field: bad}) == "fail"
    assert status(check, **{field: None}) == "fail"  # not shown to be set
    assert status(check, **{field: bad, "sharing_capability": "disabled"}) == "pass"


@pytest.mark.parametrize(
    ("check", "field", "bad"),
    [
        ("sharepoint-legacy-auth-blocked", "is_legacy_auth_protocols_enabled", True),
        ("onedrive-sync-managed-devices-only", "is_unmanaged_sync_app_for_tenant_restricted", False),
        ("onedrive-sync-managed-devices-only", "sync_allowed_domains", 0),  # restricted to no domain
    ],
)
def test_tenant_settings_fail_whatever_the_sharing_level(check: str, field: str, bad: bool) -> None:
    assert status(check, **{field: bad}) == "fail"
    assert status(check, **{field: bad, "sharing_capability": "disabled"}) == "fail"


@pytest.mark.parametrize(
    ("enabled", "after", "expected"),
    [
        (True, 3 * HOUR, "pass"),  # the boundary itself
        (True, 3 * HOUR + 1, "warn"),
        (True, None, "warn"),
        (False, HOUR, "fail"),
        (None, None, "fail"),
    ],
)
def test_idle_session_sign_out(enabled: bool | None, after: int | None, expected: str) -> None:
    changes = {"idle_session_sign_out_enabled": enabled, "idle_session_sign_out_after_seconds": after}
    result = verdict("sharepoint-idle-session-sign-out", state(settings(**changes))).result
    assert (result.status, result.evidence) == (
        expected,
        {"enabled": enabled, "sign_out_after_seconds": after},
    )


@pytest.mark.parametrize(
    "skus", [(), (sku("EXCHANGE_S_STANDARD"),), (sku("SHAREPOINTENTERPRISE", enabled=0),)]
)
@pytest.mark.parametrize("check", CHECKS)
def test_without_sharepoint_in_the_plans_it_is_not_licensed(
    check: str, skus: tuple[r.SubscribedSku, ...]
) -> None:
    result = verdict(check, state(settings(sharing_capability="externalUserAndGuestSharing"), skus)).result
    assert (result.status, result.not_applicable) == ("not_applicable", "not_licensed")


@pytest.mark.parametrize("plan", ["SHAREPOINTSTANDARD", "SHAREPOINTDESKLESS", "SHAREPOINTENTERPRISE_GOV"])
def test_any_sharepoint_plan_licenses_the_checks(plan: str) -> None:
    assert verdict(CHECKS[0], state(settings(), (sku(plan),))).result.status == "pass"


def test_settings_refused_are_permission_not_granted_never_a_pass() -> None:
    error = "403 Authorization_RequestDenied: Insufficient privileges to complete the operation."
    refused = replace(
        tenant_state(
            statuses={**EVERYTHING, "sharepoint_settings": "failed"},
            errors={"sharepoint_settings": error},
            skus=E3,
        ),
        sharepoint=None,
    )
    for check in CHECKS:
        result = verdict(check, refused).result
        assert (result.status, result.not_applicable) == ("not_applicable", "permission_not_granted")
        assert "SharePointTenantSettings.Read.All" in (result.reason or "")


def test_settings_missing_from_a_complete_dataset_cannot_be_judged() -> None:
    result = verdict(CHECKS[0], state(None)).result
    assert (result.status, result.not_applicable) == ("not_applicable", "data_unreadable")


def test_every_check_names_its_graph_source_permission_and_licence() -> None:
    for check in CHECKS:
        result = verdict(check, state(settings())).result
        assert result.permissions == ["SharePointTenantSettings.Read.All"]
        assert "GET /admin/sharepoint/settings" in result.graph
        assert result.licence == "SharePoint Online (any plan)"


@pytest.mark.parametrize("hardened", [False, True], ids=["typical", "hardened"])
def test_the_planted_settings_reach_their_verdicts(build: Build, hardened: bool) -> None:
    published = {c.id: c for c in build(3, 300, hardened_policies=hardened).compute().assurance.checks}
    expected = (HARDENED if hardened else TYPICAL).expected
    assert {check: published[check].status for check in CHECKS} == {
        check: expected[check] for check in CHECKS
    }
