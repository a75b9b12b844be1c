"""Timer → fan-out → refresh-tenant → snapshot → compute-insights, through the local Functions host,
against Azurite and the Graph simulator, checked against the generator's ground truth."""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from dev.graph_sim import RunningSimulator, SimulatorConfig, start_simulator
from dev.host import run_host_in_thread
from dev.tenant import Report
from shared.integrations import IntegrationRepository, M365Integration
from shared.messages import RefreshTenant
from shared.organisations import Organisation, OrganisationRepository
from shared.runs import RunRecord, RunRepository, daily_run_id
from shared.secrets import LocalSecretStore
from shared.services import build_services, get_services, install_services
from shared.settings import load_settings
from shared.snapshot import Dataset, Manifest, snapshot_prefix
from shared.storage import (
    OrgContainer,
    PageTokenSigner,
    QueueName,
    QueueSender,
    StorageClients,
    TenantContext,
    ensure_storage,
)

APP = Path(__file__).parent / "app"
SAMPLE = json.loads((Path(__file__).parents[3] / "local.settings.sample.json").read_text())["Values"]
SECRET = "e2e-graph-secret"


@pytest.fixture(scope="module")
def sim() -> Iterator[RunningSimulator]:
    config = SimulatorConfig(accounts=900, seed=31, as_of=datetime.now(UTC).date(), client_secret=SECRET)
    with start_simulator(config) as running:
        yield running


@pytest.fixture
def settings(
    sim: RunningSimulator, storage_connection_string: str, tmp_path: Path
) -> Iterator[dict[str, str]]:
    values = {
        **{k: v for k, v in SAMPLE.items() if k.startswith("INSIGHT365_")},
        "AzureWebJobsStorage": storage_connection_string,
        "INSIGHT365_GRAPH_BASE_URL": sim.graph_url,
        "INSIGHT365_GRAPH_AUTHORITY": sim.base_url,
        "INSIGHT365_REFRESH_SCHEDULE": "0 0 0 1 1 *",  # yearly: the test fires it through the admin API
        "INSIGHT365_LOCAL_SECRETS_PATH": str(tmp_path / "secrets.json"),
    }
    services = build_services(load_settings(values))
    install_services(services)
    yield values
    install_services(None)


def _connect_organisation(
    clients: StorageClients, tokens: PageTokenSigner, sim: RunningSimulator, path: str
) -> str:
    tenant = TenantContext(uuid.uuid4().hex)
    now = datetime.now(UTC)
    OrganisationRepository(clients, tokens).create(
        Organisation(org_id=tenant.org_id, name="E2E", created_at=now)
    )
    OrgContainer(clients, tenant).create()
    secret_name = f"graph-{tenant.org_id}"
    LocalSecretStore(path).set(secret_name, SECRET)
    integration = M365Integration(
        tenant_id=sim.tenant.spec.tenant_id,
        client_id="0b3e6d1c-2222-4000-a000-00000000c001",
        secret_name=secret_name,
        connected_at=now,
    )
    IntegrationRepository(clients, tenant, tokens).save(integration)
    return tenant.org_id


def _wait_for_run(runs: RunRepository, run_id: str, timeout: float = 60) -> RunRecord:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        record = runs.find(run_id)
        if record is not None and record.state in ("computing", "failed", "published"):
            return record
        time.sleep(0.2)
    raise AssertionError(f"run {run_id} did not finish: {runs.find(run_id)}")


def _compute_messages(clients: StorageClients, org_id: str) -> list[dict[str, object]]:
    queue = clients.queue_client(QueueName.COMPUTE_INSIGHTS)
    found = []
    for message in queue.peek_messages(max_messages=32):
        body = json.loads(base64.b64decode(message.content))  # the host's encoding
        if body["org_id"] == org_id:
            found.append(body)
    return found


def test_timer_fans_out_and_the_snapshot_matches_the_ground_truth(sim, settings):
    services = get_services()
    clients, tokens = services.storage, services.page_signer
    ensure_storage(clients)
    org_id = _connect_organisation(clients, tokens, sim, settings["INSIGHT365_LOCAL_SECRETS_PATH"])
    today = datetime.now(UTC).date()
    run_id = daily_run_id(today)
    runs = RunRepository(clients, TenantContext(org_id), tokens)

    with run_host_in_thread(APP, settings) as host:
        fired = httpx.post(f"{host.base_url}/admin/functions/daily_refresh", json={"input": ""})
        assert fired.status_code == 202
        record = _wait_for_run(runs, run_id)
        assert record.state == "computing", record.error
        # The same message delivered again: one run, the same files.
        message = RefreshTenant(org_id=org_id, run_id=run_id, as_of=today, trigger="schedule")
        QueueSender(clients, QueueName.REFRESH_TENANT).send(message)
        deadline = time.monotonic() + 10
        while clients.queue_client(QueueName.REFRESH_TENANT).get_queue_properties().approximate_message_count:
            assert time.monotonic() < deadline
            time.sleep(0.2)
        time.sleep(0.5)

    assert _compute_messages(clients, org_id) == [
        {
            "type": "compute-insights",
            "version": 1,
            "org_id": org_id,
            "run_id": run_id,
            "as_of": today.isoformat(),
        }
    ]
    again = runs.get(run_id)
    assert again.updated_at == record.updated_at and len(runs.list_recent()) == 1
    truth = sim.ground_truth
    container = OrgContainer(clients, TenantContext(org_id))
    manifest = Manifest.model_validate(container.read_json(snapshot_prefix(today, run_id) + "manifest.json"))
    counts = {entry.dataset: entry.rows for entry in manifest.datasets if entry.status == "complete"}
    assert set(counts) == {dataset.value for dataset in Dataset}
    assert counts["users"] == counts["sign_in_activity"] == counts["registration_details"] == truth.accounts
    assert counts["active_user_detail"] == truth.report_rows[Report.ACTIVE_USER_DETAIL.value]
    assert counts["teams_user_activity_user_detail"] == truth.report_rows[Report.TEAMS_DETAIL.value]
    assert counts["subscribed_skus"] == len(sim.tenant.seats)
    users = list(container.iter_jsonl_gz(snapshot_prefix(today, run_id) + "users.jsonl.gz"))
    sample = sim.tenant.account(123)
    assert next(u for u in users if u["id"] == sample.id)["user_principal_name"] == sample.upn
    assert {name: p.rows for name, p in record.datasets.items()} == {
        e.dataset: e.rows for e in manifest.datasets
    }
