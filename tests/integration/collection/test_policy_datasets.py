"""The tenant-wide policy datasets collected through msgraph-sdk from the simulator over HTTP: the
planted settings arrive as records, and an app without Policy.Read.All is refused as Graph refuses it."""

from __future__ import annotations

from collections.abc import Iterator
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
    config = SimulatorConfig(
        accounts=60, seed=4, as_of=AS_OF, client_secret="s3cret", apps=(without_policies,)
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


def test_without_policy_read_all_every_policy_is_refused_as_graph_refuses(sim: RunningSimulator) -> None:
    form = {
        "grant_type": "client_credentials",
        "scope": "https://graph.microsoft.com/.default",
        "client_id": "no-policies",
        "client_secret": "right",
    }
    token = httpx.post(sim.token_url, data=form).json()["access_token"]
    for path in PATHS:
        denied = httpx.get(sim.graph_url + path, headers={"Authorization": f"Bearer {token}"})
        assert denied.status_code == 403, path
        assert denied.json()["error"]["code"] == "Authorization_RequestDenied"
