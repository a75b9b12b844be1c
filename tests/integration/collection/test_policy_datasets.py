"""The tenant-wide policy datasets collected through msgraph-sdk from the simulator over HTTP: the
planted settings arrive as records, and an app without Policy.Read.All is refused as Graph refuses it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from dev import collect
from dev.graph_sim import AppRegistration, RunningSimulator, SimulatorConfig, start_simulator
from dev.graph_sim.permissions import ALL_NEEDED
from dev.tenant.policies import TYPICAL
from tests.integration.collection.conftest import AS_OF, SECRET_ENV, cli_args, manifest, rows

POLICY_DATASETS = ("authorization_policy", "admin_consent_request_policy", "authentication_methods_policy")
PATHS = (
    "/policies/authorizationPolicy",
    "/policies/adminConsentRequestPolicy",
    "/policies/authenticationMethodsPolicy",
)


@pytest.fixture(scope="module")
def sim() -> Iterator[RunningSimulator]:
    without_policies = AppRegistration(
        client_id="no-policies", client_secret="right", permissions=ALL_NEEDED - {"Policy.Read.All"}
    )
    without_domains = AppRegistration(
        client_id="no-domains", client_secret="right", permissions=ALL_NEEDED - {"Domain.Read.All"}
    )
    config = SimulatorConfig(
        accounts=60, seed=4, as_of=AS_OF, client_secret="s3cret", apps=(without_policies, without_domains)
    )
    with start_simulator(config) as running:
        yield running


def test_the_planted_policies_are_collected_as_records(
    sim: RunningSimulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SECRET_ENV, "s3cret")
    assert collect.main(cli_args(sim, tmp_path)) == 0
    entries = {e.dataset: e for e in manifest(tmp_path).datasets}
    for dataset in POLICY_DATASETS:
        assert (entries[dataset].status, entries[dataset].rows) == ("complete", 1), dataset
    (authorization,) = rows(tmp_path, "authorization_policy")
    assert authorization["allow_invites_from"] == TYPICAL.invites_from
    assert authorization["guest_user_role_id"] == TYPICAL.guest_role
    defaults = authorization["default_user_role_permissions"]
    assert defaults["allowed_to_create_apps"] is TYPICAL.users_create_apps
    assert defaults["permission_grant_policies_assigned"] == list(TYPICAL.consent_policies)
    (consent,) = rows(tmp_path, "admin_consent_request_policy")
    assert (consent["is_enabled"], consent["reviewers"], consent["request_duration_in_days"]) == (
        TYPICAL.consent_workflow,
        TYPICAL.consent_reviewers,
        TYPICAL.request_days,
    )
    (methods,) = rows(tmp_path, "authentication_methods_policy")
    assert methods["policy_migration_state"] == TYPICAL.migration_state
    assert {m["id"]: m["state"] for m in methods["methods"]} == TYPICAL.method_states
    authenticator = next(m for m in methods["methods"] if m["id"] == "MicrosoftAuthenticator")
    location = "featureSettings.displayLocationInformationRequiredState"
    assert authenticator["settings"][f"{location}.state"] == TYPICAL.location.state
    assert authenticator["settings"][f"{location}.includeTarget.id"] != "all_users"  # planted: one group
    # Conditional Access: risk levels and the required authentication strength arrive on the record.
    by_name = {p["display_name"]: p for p in rows(tmp_path, "conditional_access_policies")}
    admins = by_name["Require phishing-resistant MFA for administrators"]
    assert admins["authentication_strength"] == "00000000-0000-0000-0000-000000000004"
    assert admins["include_roles"] and admins["built_in_controls"] == []
    assert by_name["Block high-risk sign-ins"]["sign_in_risk_levels"] == ["high"]
    assert by_name["Block high-risk sign-ins"]["user_risk_levels"] == []
    assert by_name["Block legacy authentication"]["authentication_strength"] is None
    assert by_name["Block legacy authentication"]["include_user_actions"] == []
    # Domains: every domain, verified or not, with its password validity period (Domain.Read.All).
    domains = {d["id"]: d for d in rows(tmp_path, "domains")}
    assert entries["domains"].status == "complete"
    assert {
        name: (d["is_verified"], d["password_validity_period_in_days"]) for name, d in domains.items()
    } == {
        "northwind.onmicrosoft.com": (True, TYPICAL.password_validity_days),
        "northwind.example": (True, TYPICAL.password_validity_days),
        "pending.northwind.example": (False, None),
    }
    # App registrations (credentials' validity only) and the Graph permissions granted to their apps.
    apps = {a["display_name"]: a for a in rows(tmp_path, "applications")}
    assert set(apps) == {a.name for a in TYPICAL.applications}
    payroll = apps["Payroll connector"]["credentials"]
    assert [(c["kind"], c["start_date_time"][:10], c["end_date_time"][:10]) for c in payroll] == [
        ("secret", (AS_OF - timedelta(days=400)).isoformat(), (AS_OF + timedelta(days=330)).isoformat())
    ]
    # Active role assignments: in the typical tenant every one is permanent (assigned, no end).
    active = rows(tmp_path, "role_assignment_schedule_instances")
    assert active and {(a["assignment_type"], a["end_date_time"]) for a in active} == {("Assigned", None)}
    # The Global Administrator role's PIM policy ($filter and nested $expand): no approval by default.
    assert rows(tmp_path, "role_activation_policies") == [
        {"role_definition_id": "62e90394-69f5-4237-9190-012177145e10", "approval_required": False}
    ]
    grants = rows(tmp_path, "graph_permission_grants")
    assert entries["graph_permission_grants"].status == "complete"
    assert sorted((g["principal_display_name"], g["app_role_id"]) for g in grants) == sorted(
        (a.name, role) for a in TYPICAL.applications for role in a.graph_permissions
    )


def refused(sim: RunningSimulator, client_id: str, path: str) -> bool:
    """Whether the app registration `client_id` is refused `path` as Graph refuses a missing permission."""
    form = {
        "grant_type": "client_credentials",
        "scope": "https://graph.microsoft.com/.default",
        "client_id": client_id,
        "client_secret": "right",
    }
    token = httpx.post(sim.token_url, data=form).json()["access_token"]
    answer = httpx.get(sim.graph_url + path, headers={"Authorization": f"Bearer {token}"})
    return answer.status_code == 403 and answer.json()["error"]["code"] == "Authorization_RequestDenied"


def test_without_domain_read_all_domains_are_refused_as_graph_refuses(sim: RunningSimulator) -> None:
    assert refused(sim, "no-domains", "/domains")


def test_without_policy_read_all_every_policy_is_refused_as_graph_refuses(sim: RunningSimulator) -> None:
    for path in PATHS:
        assert refused(sim, "no-policies", path), path


def test_without_entra_id_p2_the_pim_datasets_are_unavailable_not_failed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PIM answers 400 AadPremiumLicenseRequired without P2: the datasets are `unavailable` (a missing
    licence), never `failed`, so their checks say not licensed."""
    config = SimulatorConfig(accounts=30, seed=5, as_of=AS_OF, client_secret="s3cret", premium=False)
    monkeypatch.setenv(SECRET_ENV, "s3cret")
    with start_simulator(config) as free:
        assert collect.main(cli_args(free, tmp_path)) == 0
    entries = {e.dataset: e for e in manifest(tmp_path).datasets}
    for dataset in ("role_assignment_schedule_instances", "role_activation_policies"):
        assert entries[dataset].status == "unavailable", dataset
        assert "AadPremiumLicenseRequired" in (entries[dataset].error or ""), dataset
