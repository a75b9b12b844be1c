"""The whole service as `make run` assembles it, through the real app on the local Functions host:
timer → fan-out → collection from the Graph simulator → compute → publish, then a demo admin signs in
the real way and reads the insights over HTTP; the figures equal the synthetic tenant's ground truth."""

from __future__ import annotations

import base64
import csv
import io
import secrets
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from dev.graph_sim import RunningSimulator, SimulatorConfig, start_simulator
from dev.host import RunningHost, run_host_in_thread
from dev.login import login
from dev.oidc import start_issuer
from dev.seed import seed_demo
from shared.integrations import IntegrationRepository, M365Integration, secret_name_for
from shared.runs import RunRecord, RunRepository, daily_run_id
from shared.secrets import LocalSecretStore
from shared.services import build_services, install_services
from shared.settings import load_settings
from shared.storage import TenantContext
from tests.conftest import TEST_SETTINGS

REPO = Path(__file__).resolve().parents[2]
GRAPH_SECRET = secrets.token_urlsafe(16)


def _wait_until_published(runs: RunRepository, run_id: str, timeout: float = 120) -> RunRecord:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        record = runs.find(run_id)
        if record is not None and record.state in ("published", "failed"):
            return record
        time.sleep(0.25)
    raise AssertionError(f"run {run_id} did not finish: {runs.find(run_id)}")


@pytest.fixture(scope="module")
def service(
    storage_connection_string: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[RunningHost, RunningSimulator, dict[str, str], Path]]:
    folder = tmp_path_factory.mktemp("whole")
    today = datetime.now(UTC).date()
    config = SimulatorConfig(accounts=1200, seed=5, as_of=today, client_secret=GRAPH_SECRET)
    with start_issuer() as issuer, start_simulator(config) as simulator:
        settings = {
            **TEST_SETTINGS,
            "AzureWebJobsStorage": storage_connection_string,
            "INSIGHT365_OIDC_ISSUER": issuer.issuer_url,
            "INSIGHT365_GRAPH_BASE_URL": simulator.graph_url,
            "INSIGHT365_GRAPH_AUTHORITY": simulator.base_url,
            "INSIGHT365_LOCAL_SECRETS_PATH": str(folder / "secrets.json"),
            "INSIGHT365_REFRESH_SCHEDULE": "0 0 0 1 1 *",  # fired through the admin endpoint below
            "INSIGHT365_RETENTION_SCHEDULE": "0 0 0 1 1 *",
        }
        services = build_services(load_settings(settings))
        previous = install_services(services)
        store = LocalSecretStore(folder / "secrets.json")
        store.set("mfa-key-1", base64.b64encode(secrets.token_bytes(32)).decode())
        tenant = seed_demo(services, store, issuer_url=issuer.issuer_url, demo_file=folder / "demo.json")
        store.set(secret_name_for(tenant), GRAPH_SECRET)
        IntegrationRepository(services.storage, tenant, services.page_signer).save(
            M365Integration(
                tenant_id=simulator.tenant.spec.tenant_id,
                client_id="0b3e6d1c-2222-4000-a000-00000000c0de",
                secret_name=secret_name_for(tenant),
                connected_at=datetime.now(UTC),
            )
        )
        try:
            with run_host_in_thread(REPO, settings) as host:
                fired = httpx.post(f"{host.base_url}/admin/functions/daily_refresh", json={"input": ""})
                assert fired.status_code == 202
                runs = RunRepository(services.storage, TenantContext(tenant.org_id), services.page_signer)
                run = _wait_until_published(runs, daily_run_id(today))
                assert run.state == "published", run.error
                token, session = login(
                    "admin@northwind.example",
                    api=host.base_url,
                    issuer=issuer.issuer_url,
                    demo_file=folder / "demo.json",
                )
                headers = {"Authorization": f"Bearer {token}", "X-Session": session}
                yield host, simulator, headers, folder
        finally:
            install_services(previous)


def _get(host: RunningHost, headers: dict[str, str], path: str) -> httpx.Response:
    return httpx.get(f"{host.base_url}/api/v1{path}", headers=headers, timeout=30, trust_env=False)


def test_utilisation_over_http_equals_the_ground_truth(service) -> None:
    host, simulator, headers, _ = service
    truth = simulator.ground_truth
    response = _get(host, headers, "/insights/utilisation")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["totals"]["licensed_accounts"] == truth.licensed
    assert body["totals"]["disabled_licensed"] == truth.disabled_licensed
    assert body["totals"]["guests_licensed"] == truth.guests_licensed
    assert body["totals"]["redundant_assignments"] == truth.redundant_assignments
    assert {int(days): count for days, count in body["inactive_licensed"].items()} == truth.inactive_licensed
    assert {row["sku_id"]: row["assigned"] for row in body["skus"] if row["assigned"]} == truth.sku_consumed
    assert {row["sku_id"]: row["purchased"] for row in body["skus"]} == simulator.tenant.seat_truth.purchased


def test_assurance_over_http_equals_the_ground_truth(service) -> None:
    host, simulator, headers, _ = service
    truth = simulator.ground_truth
    response = _get(host, headers, "/insights/assurance")
    assert response.status_code == 200, response.text
    checks = {check["id"]: check for check in response.json()["checks"]}
    assert checks["global-admin-count"]["evidence"]["global_admins"] == truth.global_admins
    assert checks["synced-admins"]["evidence"]["synced_admins"] == truth.synced_admins
    assert checks["admins-without-mfa"]["evidence"]["admins_without_mfa"] == truth.admins_without_mfa
    assert checks["stale-enabled-accounts"]["evidence"]["stale_enabled_90"] == truth.stale_enabled_90
    assert checks["legacy-auth-blocked"]["status"] == ("pass" if truth.legacy_auth_blocked else "fail")


def test_the_reclaimable_licences_report_downloads_as_csv(service) -> None:
    host, _, headers, _ = service
    response = _get(host, headers, "/reports/reclaimable-licences?format=csv")
    assert response.status_code == 200, response.text
    assert response.headers["content-disposition"].startswith("attachment;")
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    as_json = _get(host, headers, "/reports/reclaimable-licences?format=json").json()
    assert len(rows) - 1 == len(as_json["rows"]) > 0


def test_the_calls_left_their_audit_rows(service) -> None:
    host, _, headers, _ = service
    _get(host, headers, "/insights/utilisation")
    _get(host, headers, "/reports/reclaimable-licences?format=csv")
    response = _get(host, headers, "/audit")
    assert response.status_code == 200, response.text
    rows = response.json()["items"]
    actions = {(row["action"], row["outcome"]) for row in rows}
    assert ("GET /api/v1/insights/utilisation", "allowed") in actions
    assert ("GET /api/v1/reports/{report_id}", "allowed") in actions
    assert ("POST /api/v1/session", "allowed") in actions
    me = _get(host, headers, "/me").json()
    assert all(row["actor_member_id"] == me["member_id"] for row in rows if row["action"].startswith("GET"))
    assert not any(headers["X-Session"] in str(row) for row in rows)
