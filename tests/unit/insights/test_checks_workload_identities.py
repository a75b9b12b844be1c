"""App registrations' credentials and high-privilege Microsoft Graph permissions
(checks/workload_identities.py), on hand-made apps and on the planted tenant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dev.tenant.policies import HARDENED, TYPICAL
from shared.snapshot import records as r
from tests.unit.insights.checks_support import verdict
from tests.unit.insights.conftest import Build
from tests.unit.insights.policy_builder import policy_state
from tests.unit.insights.state_builder import AS_OF, EVERYTHING, tenant_state

ROLE_MANAGEMENT = "9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8"
USER_READ_ALL = "df021288-bdef-4463-88db-98f22de89214"


def at(days: int) -> datetime:
    """`days` after as_of (negative: before)."""
    return datetime.combine(AS_OF, datetime.min.time(), UTC) + timedelta(days=days)


def credential(start: int, end: int, kind: str = "secret") -> r.AppCredential:
    return r.AppCredential(kind=kind, start_date_time=at(start), end_date_time=at(end))


def app(name: str, *credentials: r.AppCredential) -> r.Application:
    return r.Application(id=f"id-{name}", display_name=name, credentials=list(credentials))


def result(check: str, *apps: r.Application) -> tuple[str, object, object]:
    found = verdict(check, policy_state(applications=apps)).result
    counted = next(v for k, v in found.evidence.items() if k.startswith("apps_with"))
    assert found.evidence["applications"] == len(apps)
    return found.status, counted, found.evidence["names"]


@pytest.mark.parametrize(
    ("apps", "expected"),
    [
        ((), ("pass", 0, "")),
        ((app("cert", credential(-10, 355, "certificate")),), ("pass", 0, "")),
        ((app("expired", credential(-400, -1)),), ("pass", 0, "")),  # expired yesterday: unusable
        ((app("today", credential(-400, 0)),), ("fail", 1, "today")),  # valid through as_of
        ((app("b", credential(-10, 170)), app("a", credential(-10, 20))), ("fail", 2, "a;b")),
    ],
)
def test_app_client_secrets(apps: tuple[r.Application, ...], expected: tuple[str, int, str]) -> None:
    assert result("app-client-secrets", *apps) == expected


@pytest.mark.parametrize(
    ("apps", "expected"),
    [
        ((app("year", credential(-100, 265)),), ("pass", 0, "")),  # exactly 365 days
        ((app("longer", credential(-100, 266)),), ("fail", 1, "longer")),  # 366 days
        ((app("old", credential(-900, -1)),), ("pass", 0, "")),  # long, but expired
        ((app("cert", credential(-100, 900, "certificate")),), ("pass", 0, "")),  # certificates may live long
    ],
)
def test_app_secrets_long_lived(apps: tuple[r.Application, ...], expected: tuple[str, int, str]) -> None:
    assert result("app-secrets-long-lived", *apps) == expected


@pytest.mark.parametrize(
    ("apps", "expected"),
    [
        ((app("soon", credential(-100, 30)),), ("warn", 1, "soon")),
        ((app("cert", credential(-100, 0, "certificate")),), ("warn", 1, "cert")),  # certificates too
        ((app("later", credential(-100, 31)),), ("pass", 0, "")),
        ((app("gone", credential(-100, -1)),), ("pass", 0, "")),  # already expired: not "expiring"
    ],
)
def test_app_credentials_expiring(apps: tuple[r.Application, ...], expected: tuple[str, int, str]) -> None:
    assert result("app-credentials-expiring", *apps) == expected


def grant(role: str, name: str, principal_type: str = "ServicePrincipal") -> r.GraphPermissionGrant:
    return r.GraphPermissionGrant(
        id=f"{name}-{role}",
        app_role_id=role,
        principal_id=f"sp-{name}",
        principal_display_name=name,
        principal_type=principal_type,
    )


@pytest.mark.parametrize(
    ("grants", "status", "names"),
    [
        ((), "pass", ""),
        ((grant(USER_READ_ALL, "reader"),), "pass", ""),
        (
            (grant(ROLE_MANAGEMENT, "ops"), grant(USER_READ_ALL, "ops")),
            "fail",
            "ops (RoleManagement.ReadWrite.Directory)",
        ),
        (
            (
                grant("06B708A9-E830-4DB3-A914-8E69DA51D44F", "x"),
                grant("19dbc75e-c2e2-444c-a770-ec69d8559fc7", "x"),
            ),
            "fail",
            "x (AppRoleAssignment.ReadWrite.All, Directory.ReadWrite.All)",  # ids compared case-blind
        ),
        ((grant(ROLE_MANAGEMENT, "a group", "Group"),), "pass", ""),  # not an app's permission
    ],
)
def test_high_privilege_app_permissions(
    grants: tuple[r.GraphPermissionGrant, ...], status: str, names: str
) -> None:
    found = verdict("high-privilege-app-permissions", policy_state(graph_grants=grants)).result
    assert (found.status, found.evidence["names"]) == (status, names)
    assert found.evidence["high_privilege_apps"] == (1 if names else 0)


def test_applications_refused_is_permission_not_granted() -> None:
    error = "403 Authorization_RequestDenied: Insufficient privileges to complete the operation."
    statuses = {**EVERYTHING, "applications": "failed", "graph_permission_grants": "failed"}
    state = tenant_state(statuses=statuses, errors={"applications": error, "graph_permission_grants": error})
    for check in (
        "app-client-secrets",
        "app-secrets-long-lived",
        "app-credentials-expiring",
        "high-privilege-app-permissions",
    ):
        found = verdict(check, state).result
        assert (found.status, found.not_applicable) == ("not_applicable", "permission_not_granted"), check
        assert "Application.Read.All" in (found.reason or "")


CHECKS = (
    "app-client-secrets",
    "app-secrets-long-lived",
    "app-credentials-expiring",
    "high-privilege-app-permissions",
)


@pytest.mark.parametrize("hardened", [False, True], ids=["typical", "hardened"])
def test_the_planted_apps_reach_their_verdicts(build: Build, hardened: bool) -> None:
    published = {c.id: c for c in build(3, 300, hardened_policies=hardened).compute().assurance.checks}
    expected = (HARDENED if hardened else TYPICAL).expected
    assert {check: published[check].status for check in CHECKS} == {
        check: expected[check] for check in CHECKS
    }
    if not hardened:
        assert published["app-client-secrets"].evidence["names"] == "Backup service;Payroll connector"
        assert published["app-secrets-long-lived"].evidence["names"] == "Payroll connector"
        assert published["app-credentials-expiring"].evidence["names"] == "Backup service"
        assert published["high-privilege-app-permissions"].evidence["names"] == (
            "Directory sync tool (Directory.ReadWrite.All)"
        )
