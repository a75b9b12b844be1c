"""`Refresh` against Azurite and the simulator: checkpoints and continuations give byte-identical
snapshots, a redelivered message changes nothing, and failures are recorded, never hidden: a run that
cannot progress ends `failed` with the dataset and the reason, and the integration says so."""

from __future__ import annotations

import asyncio
import gzip
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from dev.graph_sim import (
    AppRegistration,
    Endpoint,
    FaultKind,
    FaultRule,
    RunningSimulator,
    SimulatorConfig,
    start_simulator,
)
from dev.graph_sim.permissions import ALL_NEEDED
from shared.collection import Refresh, RefreshConfig, RefreshResult, daily_refresh_plan
from shared.integrations import IntegrationRepository, M365Integration
from shared.messages import RefreshTenant
from shared.organisations import Organisation, OrganisationRepository
from shared.runs import RunRecord, RunRepository
from shared.secrets import LocalSecretStore
from shared.snapshot import Dataset, Manifest, snapshot_prefix
from shared.storage import OrgContainer, PageTokenSigner, StorageClients, TenantContext
from tests.integration.collection.conftest import AS_OF, CLIENT_ID

SECRET = "sim-secret"
TOKENS = PageTokenSigner(b"k" * 32)


@pytest.fixture(scope="module")
def sim() -> Iterator[RunningSimulator]:
    config = SimulatorConfig(accounts=1200, seed=21, as_of=AS_OF, client_secret=SECRET, empty_page_every=4)
    with start_simulator(config) as running:
        yield running


@pytest.fixture
def secrets(tmp_path: Path) -> LocalSecretStore:
    store = LocalSecretStore(tmp_path / "secrets.json")
    store.set("graph-secret", SECRET)
    return store


def _organisation(
    clients: StorageClients, sim: RunningSimulator, client_id: str = CLIENT_ID
) -> TenantContext:
    tenant = TenantContext(uuid.uuid4().hex)
    OrganisationRepository(clients, TOKENS).create(
        Organisation(org_id=tenant.org_id, name="Refresh test", created_at=datetime.now(UTC))
    )
    OrgContainer(clients, tenant).create()
    integration = M365Integration(
        tenant_id=sim.tenant.spec.tenant_id,
        client_id=client_id,
        secret_name="graph-secret",
        connected_at=datetime.now(UTC),
    )
    IntegrationRepository(clients, tenant, TOKENS).save(integration)
    return tenant


def _message(tenant: TenantContext, continuation: int = 0) -> RefreshTenant:
    return RefreshTenant(
        org_id=tenant.org_id,
        run_id="daily-2026-01-15",
        as_of=AS_OF,
        trigger="schedule",
        continuation=continuation,
    )


def _refresh(
    clients: StorageClients, secrets: LocalSecretStore, sim: RunningSimulator, budget: float
) -> Refresh:
    config = RefreshConfig(sim.graph_url, sim.base_url, budget, member_bytes=16 * 1024)
    return Refresh(clients, TOKENS, secrets, config)


def _drive(refresh: Refresh, first: RefreshTenant) -> tuple[list[RefreshResult], RefreshResult]:
    """Run the message and every continuation it asks for, as the queue would."""
    results: list[RefreshResult] = []
    message: RefreshTenant | None = first
    while message is not None:
        results.append(asyncio.run(refresh.handle(message)))
        message = results[-1].continuation
        assert len(results) < 200
    return results, results[-1]


def _snapshot(clients: StorageClients, tenant: TenantContext) -> tuple[Manifest, dict[str, bytes]]:
    container = OrgContainer(clients, tenant)
    prefix = snapshot_prefix(AS_OF, "daily-2026-01-15")
    manifest = Manifest.model_validate(container.read_json(prefix + "manifest.json"))
    blobs = {
        e.dataset: container.read_bytes(f"{prefix}{e.dataset}.jsonl.gz")
        for e in manifest.datasets
        if e.status == "complete"
    }
    return manifest, blobs


def _record(clients: StorageClients, tenant: TenantContext) -> RunRecord:
    return RunRepository(clients, tenant, TOKENS).get("daily-2026-01-15")


def test_continuations_give_the_same_bytes_as_one_invocation(clients, secrets, sim):
    whole, pieces = _organisation(clients, sim), _organisation(clients, sim)
    results, last = _drive(_refresh(clients, secrets, sim, 3600), _message(whole))
    assert len(results) == 1 and last.compute is not None
    results, last = _drive(_refresh(clients, secrets, sim, 0), _message(pieces))
    assert len(results) >= 3  # at least two continuations
    assert last.compute is not None and last.compute.run_id == "daily-2026-01-15"

    (one, one_blobs), (many, many_blobs) = _snapshot(clients, whole), _snapshot(clients, pieces)
    assert [(e.dataset, e.status, e.rows, e.sha256) for e in one.datasets] == [
        (e.dataset, e.status, e.rows, e.sha256) for e in many.datasets
    ]
    assert one_blobs == many_blobs
    users = gzip.decompress(many_blobs["users"]).splitlines()
    assert len(users) == sim.ground_truth.accounts == many.entry("users").rows  # type: ignore[union-attr]

    record = _record(clients, pieces)
    assert record.state == "computing" and record.continuations == len(results) - 1
    assert {p.status for p in record.datasets.values()} == {"complete"}
    assert record.datasets["sign_in_activity"].rows == sim.ground_truth.accounts


def test_a_redelivered_message_starts_no_second_run(clients, secrets, sim):
    tenant = _organisation(clients, sim)
    refresh = _refresh(clients, secrets, sim, 3600)
    _drive(refresh, _message(tenant))
    before = _snapshot(clients, tenant)
    record = _record(clients, tenant)
    again = asyncio.run(refresh.handle(_message(tenant)))
    assert again == RefreshResult()
    assert _snapshot(clients, tenant) == before
    assert _record(clients, tenant).updated_at == record.updated_at
    assert len(RunRepository(clients, tenant, TOKENS).list_recent()) == 1


def test_a_stale_continuation_is_dropped_and_a_held_run_deferred(clients, secrets, sim):
    tenant = _organisation(clients, sim)
    refresh = _refresh(clients, secrets, sim, 0)
    first = asyncio.run(refresh.handle(_message(tenant)))
    assert first.continuation is not None and first.continuation.continuation == 1
    # The same message again: its continuation was lost? No: the record shows it was saved; re-send it.
    assert asyncio.run(refresh.handle(_message(tenant))).continuation == first.continuation
    assert asyncio.run(refresh.handle(_message(tenant, continuation=7))) == RefreshResult()
    repository = RunRepository(clients, tenant, TOKENS)
    record = repository.get("daily-2026-01-15")
    held = {name: p.model_copy(update={"status": "running"}) for name, p in record.datasets.items()}
    repository.save(record.model_copy(update={"datasets": held}))
    assert asyncio.run(refresh.handle(first.continuation)).defer_seconds > 0


def test_a_page_that_stays_malformed_fails_the_run_with_a_reason(clients, secrets, sim):
    tenant = _organisation(clients, sim)
    sim.set_faults(FaultRule(kind=FaultKind.MALFORMED, endpoints=frozenset({Endpoint.USERS}), every=1))
    try:
        _, last = _drive(_refresh(clients, secrets, sim, 3600), _message(tenant))
    finally:
        sim.set_faults()
    assert last.compute is None
    record = _record(clients, tenant)
    assert record.state == "failed"
    assert record.error is not None and "users" in record.error and "not JSON" in record.error
    assert record.datasets["users"].status == "failed"
    assert "dataset_failed:users" in record.warnings
    manifest, _ = _snapshot(clients, tenant)
    assert manifest.entry("users").status == "failed"  # type: ignore[union-attr]
    assert all(e.status == "complete" for e in manifest.datasets if e.dataset != "users")
    # Graph's fault, not the customer's: the connection is not flagged.
    assert _integration(clients, tenant).status == "connected"


def test_without_a_connected_integration_the_run_fails_readably(clients, secrets, sim):
    tenant = TenantContext(uuid.uuid4().hex)
    OrganisationRepository(clients, TOKENS).create(
        Organisation(org_id=tenant.org_id, name="No integration", created_at=datetime.now(UTC))
    )
    assert asyncio.run(_refresh(clients, secrets, sim, 60).handle(_message(tenant))) == RefreshResult()
    record = _record(clients, tenant)
    assert record.state == "failed" and "no Microsoft 365 integration" in (record.error or "")
    assert {p.status for p in record.datasets.values()} == {"failed"}


def _integration(clients: StorageClients, tenant: TenantContext) -> M365Integration:
    found = IntegrationRepository(clients, tenant, TOKENS).find()
    assert found is not None
    return found


def test_a_run_created_without_datasets_is_collected_in_full(clients, secrets, sim):
    """Refresh now used to create its run with no datasets: the handler then failed with a KeyError five
    times and the run stayed `collecting` with `datasets: {}`."""
    tenant = _organisation(clients, sim)
    now = datetime.now(UTC)
    RunRepository(clients, tenant, TOKENS).create_if_absent(
        RunRecord(run_id="daily-2026-01-15", as_of=AS_OF, trigger="member", created_at=now, updated_at=now)
    )
    _, last = _drive(_refresh(clients, secrets, sim, 3600), _message(tenant))
    assert last.compute is not None
    record = _record(clients, tenant)
    assert record.state == "computing" and len(record.datasets) == len(Dataset)
    assert {p.status for p in record.datasets.values()} == {"complete"}


def test_a_wrong_secret_ends_the_run_failed_and_the_integration_in_error(clients, sim, tmp_path):
    store = LocalSecretStore(tmp_path / "wrong.json")
    store.set("graph-secret", "not-the-secret")
    tenant = _organisation(clients, sim)
    config = RefreshConfig(sim.graph_url, sim.base_url, 3600)
    result = asyncio.run(Refresh(clients, TOKENS, store, config).handle(_message(tenant)))
    assert result == RefreshResult()  # nothing to retry: the same secret fails every time
    record = _record(clients, tenant)
    assert record.state == "failed"
    assert "client_secret" in (record.error or "") and "AADSTS7000215" in (record.error or "")
    assert {p.status for p in record.datasets.values()} == {"failed"}
    assert all("secret is wrong" in (p.error or "") for p in record.datasets.values())
    integration = _integration(clients, tenant)
    assert integration.status == "error" and "secret is wrong" in (integration.last_error or "")
    assert "not-the-secret" not in record.model_dump_json() + integration.model_dump_json()


def test_a_missing_required_permission_fails_the_run_naming_it(clients, secrets, sim):
    client_id = str(uuid.uuid4())
    sim.register_app(
        AppRegistration(
            client_id=client_id, client_secret=SECRET, permissions=ALL_NEEDED - {"Organization.Read.All"}
        )
    )
    tenant = _organisation(clients, sim, client_id=client_id)
    _, last = _drive(_refresh(clients, secrets, sim, 3600), _message(tenant))
    assert last.compute is None
    record = _record(clients, tenant)
    assert record.state == "failed"
    assert "subscribed_skus: the app lacks the Microsoft Graph permission Organization.Read.All" in (
        record.error or ""
    )
    assert record.datasets["subscriptions"].status == "failed"  # same permission, not required
    assert record.datasets["users"].status == "complete"
    integration = _integration(clients, tenant)
    assert integration.status == "error" and "Organization.Read.All" in (integration.last_error or "")


def test_an_unexpected_error_is_retried_and_its_last_delivery_ends_the_run(clients, secrets, sim):
    tenant = _organisation(clients, sim)
    # Nothing listens on port 9: the token endpoint cannot be reached (an error a retry may cure).
    config = RefreshConfig(sim.graph_url, "http://127.0.0.1:9", 3600)
    refresh = Refresh(clients, TOKENS, secrets, config)
    with pytest.raises(Exception, match="onnect"):
        asyncio.run(refresh.handle(_message(tenant)))
    record = _record(clients, tenant)
    assert record.state == "collecting" and {p.status for p in record.datasets.values()} == {"pending"}

    with pytest.raises(Exception, match="onnect"):
        asyncio.run(refresh.handle(_message(tenant), last_delivery=True))
    record = _record(clients, tenant)
    assert record.state == "failed"
    assert record.error is not None and "failed 5 times in a row (ConnectError)" in record.error
    assert {p.status for p in record.datasets.values()} == {"failed"}
    assert _integration(clients, tenant).status == "connected"  # nothing the customer can fix


def test_the_nightly_fan_out_also_refreshes_an_integration_in_error(clients, sim):
    """Only a refresh that succeeds clears the error: skipping the organisation would keep it forever."""
    organisations = OrganisationRepository(clients, TOKENS)
    states = {}
    for status in ("connected", "error", None):
        tenant = _organisation(clients, sim) if status else TenantContext(uuid.uuid4().hex)
        if status is None:
            organisations.create(
                Organisation(org_id=tenant.org_id, name=f"Fan-out {status}", created_at=datetime.now(UTC))
            )
        if status == "error":
            IntegrationRepository(clients, tenant, TOKENS).record_failure(
                "the last refresh failed", datetime.now(UTC)
            )
        states[tenant.org_id] = status
    plan = daily_refresh_plan(clients, TOKENS, datetime.combine(AS_OF, datetime.min.time(), UTC))
    sent = {r.message.org_id for r in plan.refreshes if r.message.org_id in states}
    assert sent == {org_id for org_id, status in states.items() if status is not None}


def test_a_message_for_an_offboarded_organisation_recreates_nothing(clients, secrets, sim):
    """A refresh still queued when offboarding starts must not write a run the deletion job then misses."""
    tenant = _organisation(clients, sim)
    organisations = OrganisationRepository(clients, TOKENS)
    organisation = organisations.get(tenant)
    organisations.save(organisation.model_copy(update={"status": "offboarding"}))
    result = asyncio.run(_refresh(clients, secrets, sim, 3600).handle(_message(tenant)))
    assert result == RefreshResult()
    assert RunRepository(clients, tenant, TOKENS).find("daily-2026-01-15") is None
