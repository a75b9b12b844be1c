"""Journey: a new customer connects their Microsoft 365 tenant and refreshes now, as they would on day one.

Good credentials: the connection is tested (every permission granted), "refresh now" starts a run whose
progress is visible from the first poll, the run is published, insights are readable and the integration
says when it last refreshed. Bad credentials, a secret rotated in Entra ID and a missing permission each
give a clear answer, and nothing stays stuck.
"""

from __future__ import annotations

import time
import uuid
from datetime import datetime
from typing import Any

from dev.graph_sim import AppRegistration
from dev.graph_sim.permissions import ALL_NEEDED
from shared.graph.permissions import PROBES
from shared.snapshot import Dataset
from tests.journeys.conftest import Person, Stack

PERMISSIONS = len(PROBES)
DATASETS = len(Dataset)
FINAL_DATASET_STATES = {"complete", "unavailable"}


def _connect(stack: Stack, admin: Person, client_id: str, secret: str, **headers: str) -> Any:
    body = {
        "tenant_id": stack.simulator.tenant.spec.tenant_id,
        "client_id": client_id,
        "client_secret": secret,
    }
    return admin.call("PUT", "/integrations/m365", json=body, headers=headers)


def _etag(admin: Person) -> str:
    return admin.get("/integrations/m365").headers["ETag"]


def _refresh_now(stack: Stack, admin: Person, action: str = "collect") -> dict[str, Any]:
    accepted = admin.call("POST", "/integrations/m365/refresh")
    assert accepted.status_code == 202, accepted.text
    body: dict[str, Any] = accepted.json()
    assert body["action"] == action and accepted.headers["Location"] == f"/api/v1/runs/{body['run_id']}"
    return body


def test_good_credentials_connect_refresh_and_publish(stack: Stack):
    admin = stack.sign_up()
    before = admin.get("/integrations/m365").json()
    assert before["connected"] is False and before["status"] == "disconnected"

    connected = stack.connect_good_tenant(admin)
    assert connected.status_code == 200, connected.text
    integration = connected.json()
    assert integration["status"] == "connected" and integration["last_error"] is None
    assert len(integration["permissions"]) == PERMISSIONS
    assert {p["status"] for p in integration["permissions"]} == {"granted"}
    assert "client_secret" not in connected.text and stack.graph_secret not in connected.text

    tested = admin.call("POST", "/integrations/m365/test")
    assert tested.status_code == 200, tested.text
    assert tested.json()["ok"] is True and tested.json()["missing_permissions"] == []
    assert {p["permission"] for p in tested.json()["permissions"]} == ALL_NEEDED

    requested_at = time.time()
    run_id = _refresh_now(stack, admin)["run_id"]
    first = admin.get(f"/runs/{run_id}").json()
    # Progress is visible from the first poll: every dataset is listed, none is forgotten.
    assert first["state"] in ("queued", "collecting", "computing", "published")
    assert len(first["datasets"]) == DATASETS

    # A second click while the run is under way shows the same run instead of starting another.
    again = admin.call("POST", "/integrations/m365/refresh")
    assert again.status_code in (202, 429), again.text
    if again.status_code == 202:
        assert again.json() == {"run_id": run_id, "state": again.json()["state"], "action": "in_progress"}

    run = stack.wait_for_run(admin, run_id)
    assert run["state"] == "published" and run["error"] is None, run
    assert len(run["datasets"]) == DATASETS
    assert {d["status"] for d in run["datasets"].values()} <= FINAL_DATASET_STATES

    utilisation = admin.get("/insights/utilisation")
    assert utilisation.status_code == 200, utilisation.text
    assert utilisation.json()["run_id"] == run_id
    assert utilisation.json()["totals"]["licensed_accounts"] > 0

    after = admin.get("/integrations/m365").json()
    assert after["status"] == "connected" and after["last_error"] is None
    assert after["last_refresh_at"] is not None
    assert datetime.fromisoformat(after["last_refresh_at"]).timestamp() >= requested_at - 1

    # Nothing changed since: a new collection waits its 15 minutes.
    limited = admin.call("POST", "/integrations/m365/refresh")
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0


def test_wrong_credentials_are_refused_at_connect_and_nothing_is_stored(stack: Stack):
    admin = stack.sign_up()
    refused = _connect(stack, admin, str(uuid.uuid4()), "not-the-secret")
    assert refused.status_code == 422, refused.text
    problem = refused.json()
    assert problem["type"] == "urn:insight365:problem:credentials-refused"
    assert problem["field"] == "client_secret" and "secret is wrong" in problem["detail"]
    assert problem["errors"][0]["loc"] == ["body", "client_secret"]
    assert "not-the-secret" not in refused.text

    wrong_tenant = admin.call(
        "PUT",
        "/integrations/m365",
        json={
            "tenant_id": str(uuid.uuid4()),
            "client_id": str(uuid.uuid4()),
            "client_secret": stack.graph_secret,
        },
    )
    assert wrong_tenant.status_code == 422 and wrong_tenant.json()["field"] == "tenant_id"

    state = admin.get("/integrations/m365").json()
    assert state["connected"] is False and state["status"] == "disconnected"
    assert admin.call("POST", "/integrations/m365/refresh").status_code == 409
    assert admin.call("POST", "/integrations/m365/test").status_code == 409
    assert admin.get("/runs").json()["items"] == []


def test_a_secret_revoked_in_entra_ends_the_run_failed_and_reconnecting_recovers(stack: Stack):
    admin = stack.sign_up()
    client_id = str(uuid.uuid4())
    stack.simulator.register_app(AppRegistration(client_id=client_id, client_secret="first-secret"))
    assert _connect(stack, admin, client_id, "first-secret").status_code == 200
    # The customer rotates the secret in Entra ID: the stored one stops working.
    stack.simulator.register_app(AppRegistration(client_id=client_id, client_secret="second-secret"))

    failed = stack.wait_for_run(admin, _refresh_now(stack, admin)["run_id"])
    assert failed["state"] == "failed"
    assert "client_secret" in failed["error"] and "secret is wrong" in failed["error"]
    assert {d["status"] for d in failed["datasets"].values()} == {"failed"}  # nothing left pending
    integration = admin.get("/integrations/m365").json()
    assert integration["status"] == "error" and integration["connected"] is False
    assert "secret is wrong" in integration["last_error"] and integration["last_error_at"] is not None

    reconnected = _connect(stack, admin, client_id, "second-secret", **{"If-Match": _etag(admin)})
    assert reconnected.status_code == 200, reconnected.text
    assert reconnected.json()["status"] == "connected" and reconnected.json()["last_error"] is None

    # The failed run holds nobody back: refresh now works at once.
    published = stack.wait_for_run(admin, _refresh_now(stack, admin)["run_id"])
    assert published["state"] == "published", published
    after = admin.get("/integrations/m365").json()
    assert after["status"] == "connected" and after["last_refresh_at"] is not None


def test_a_missing_permission_is_named_by_the_connection_test(stack: Stack):
    admin = stack.sign_up()
    optional = str(uuid.uuid4())
    stack.simulator.register_app(
        AppRegistration(client_id=optional, client_secret="s1", permissions=ALL_NEEDED - {"Policy.Read.All"})
    )
    connected = _connect(stack, admin, optional, "s1")
    assert connected.status_code == 200, connected.text
    assert connected.json()["status"] == "connected"  # Conditional Access checks alone go without
    policy = next(p for p in connected.json()["permissions"] if p["permission"] == "Policy.Read.All")
    assert policy["status"] == "missing" and policy["required"] is False

    tested = admin.call("POST", "/integrations/m365/test").json()
    assert tested["ok"] is True and tested["missing_permissions"] == ["Policy.Read.All"]

    required = str(uuid.uuid4())
    stack.simulator.register_app(
        AppRegistration(client_id=required, client_secret="s2", permissions=ALL_NEEDED - {"User.Read.All"})
    )
    blocked = _connect(stack, admin, required, "s2", **{"If-Match": _etag(admin)})
    assert blocked.status_code == 200, blocked.text
    assert blocked.json()["status"] == "error" and "User.Read.All" in blocked.json()["last_error"]
    tested = admin.call("POST", "/integrations/m365/test").json()
    assert tested["ok"] is False and tested["missing_permissions"] == ["User.Read.All"]
    assert "User.Read.All" in tested["error"]

    # Granting the permission (and admin consent) and testing again clears the error.
    stack.simulator.register_app(AppRegistration(client_id=required, client_secret="s2"))
    assert admin.call("POST", "/integrations/m365/test").json()["ok"] is True
    assert admin.get("/integrations/m365").json()["status"] == "connected"
