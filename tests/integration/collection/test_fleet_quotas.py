"""The fleet-wide quota governor, with several worker processes against Azurite and one time-scaled
simulator serving many tenants: Microsoft Graph's shared quotas are never exceeded by our own traffic,
a small organisation is not held behind large ones, a member's refresh goes ahead of the nightly batch,
and a fleet of mixed sizes refreshes completely."""

from __future__ import annotations

import multiprocessing
import uuid
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from dev.graph_sim import RunningSimulator, SimulatorConfig, ThrottleMode, start_simulator
from dev.graph_sim.tenancy import fleet_tenant
from dev.tenant import TenantSpec
from shared.graph import GovernorConfig, Priority, QuotaGovernor
from shared.integrations import IntegrationRepository, M365Integration
from shared.messages import RefreshTenant
from shared.organisations import Organisation, OrganisationRepository
from shared.runs import RunRepository
from shared.secrets import LocalSecretStore
from shared.storage import OrgContainer, StorageClients, TenantContext
from tests.integration.collection.conftest import AS_OF
from tests.integration.collection.fleet_workers import TOKENS, Graph, Listings, Refreshes, work

SCALE = 30.0  # signInActivity: 10 requests per 2 s instead of per minute
# A wide margin: these workers share two busy cores, and a request may take that long to reach Graph.
QUOTA = GovernorConfig(scale=SCALE, margin=0.1)
# The ordering tests judge who is served first, not how tight the schedule is: a wider margin lets a worker
# woken late on loaded cores (CI beside other work) keep its slot instead of giving it up and queueing again
# (at this scale the default tolerance is 0.1 s of lateness, far below what such cores show).
ORDERING = GovernorConfig(scale=SCALE, margin=0.4)
FLEET_SCALE = 6.0


TENANTS = [
    fleet_tenant(i, accounts, AS_OF, seed=100)
    for i, accounts in enumerate([40, 90, 300, 900, 1600, 2400, *[5000] * 5, 1500, 1500])
]
TENANTS += [fleet_tenant(20 + i, 800, AS_OF, seed=100) for i in range(9)]


@pytest.fixture(scope="module")
def sim() -> Iterator[RunningSimulator]:
    config = SimulatorConfig(
        accounts=50, as_of=AS_OF, tenants=tuple(TENANTS), throttling=ThrottleMode.REALISTIC, time_scale=SCALE
    )
    with start_simulator(config) as running:
        yield running


def _graph(sim: RunningSimulator, clients_connection: str, quota: GovernorConfig | None = QUOTA) -> Graph:
    return Graph(sim.graph_url, sim.base_url, clients_connection, quota)


def _run(jobs: Sequence[Listings | Refreshes]) -> dict[str, Any]:
    """Each job in a process of its own, all started together; their outcomes merged."""
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(len(jobs) + 1)
    results = context.Queue()
    processes = [context.Process(target=work, args=(job, start, results)) for job in jobs]
    for process in processes:
        process.start()
    start.wait(timeout=120)
    merged: dict[str, Any] = {}
    for _ in jobs:
        merged |= results.get(timeout=600)
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    return merged


def _ids(*indexes: int) -> tuple[str, ...]:
    return tuple(TENANTS[i].tenant_id for i in indexes)


def _shared_refusals(sim: RunningSimulator) -> dict[str, int]:
    """429s of the limits counted per app across all tenants."""
    refused = sim.throttling_counters()["refused"]
    return {limit: count for limit, count in refused.items() if limit.endswith("/Application")}


def test_workers_in_several_processes_never_exceed_the_shared_quota(sim, storage_connection_string):
    fleet = [_ids(*range(13 + 3 * p, 16 + 3 * p)) for p in range(3)]  # 9 tenants of 800: 2 pages each
    client = f"c1e7{uuid.uuid4().hex[4:8]}-0000-4000-8000-000000000001"

    # Control: the same load without the governor crosses the app's signInActivity quota at once.
    sim.set_throttling(ThrottleMode.REALISTIC)
    _run([Listings(_graph(sim, storage_connection_string, None), client, tenants) for tenants in fleet])
    assert _shared_refusals(sim).get("signInActivity/Application", 0) > 0

    sim.set_throttling(ThrottleMode.REALISTIC)  # counters from zero
    governed = f"c1e7{uuid.uuid4().hex[4:8]}-0000-4000-8000-000000000002"
    finished = _run(
        [Listings(_graph(sim, storage_connection_string), governed, tenants) for tenants in fleet]
    )
    counters = sim.throttling_counters()
    assert len(finished) == 9
    assert counters["refused"] == {}  # not one 429, shared or not
    assert counters["admitted"]["users_signin"] >= 18


def test_a_small_organisation_is_not_held_behind_large_ones(sim, storage_connection_string):
    graph, client = (
        _graph(sim, storage_connection_string, ORDERING),
        f"5a11{uuid.uuid4().hex[:4]}-0000-4000-8000-000000000003",
    )
    large = [Listings(graph, client, _ids(6 + p)) for p in range(3)]  # 5,000 accounts: 10 pages each
    small = Listings(graph, client, _ids(0), delay=1.0)  # 40 accounts: 1 page, asked for a second later
    finished = _run([*large, small])
    assert finished[TENANTS[0].tenant_id] < min(finished[t] for t in _ids(6, 7, 8))
    assert _shared_refusals(sim) == {}


def test_a_members_refresh_goes_ahead_of_the_nightly_batch(sim, storage_connection_string):
    graph, client = (
        _graph(sim, storage_connection_string, ORDERING),
        f"3e3b{uuid.uuid4().hex[:4]}-0000-4000-8000-000000000004",
    )
    nightly = [Listings(graph, client, _ids(9 + p)) for p in range(2)]
    # Two tenants of the same size (1,500 accounts, 3 pages) asked for at the same moment.
    member = Listings(graph, client, _ids(11), Priority.MEMBER, delay=1.0)
    batch = Listings(graph, client, _ids(12), Priority.BATCH, delay=1.0)
    finished = _run([*nightly, member, batch])
    assert finished[TENANTS[11].tenant_id] < finished[TENANTS[12].tenant_id]


def _organisation(clients: StorageClients, spec: TenantSpec, client_id: str) -> RefreshTenant:
    tenant = TenantContext.new_organisation()
    now = datetime.now(UTC)
    OrganisationRepository(clients, TOKENS).create(
        Organisation(org_id=tenant.org_id, name="Fleet", created_at=now)
    )
    OrgContainer(clients, tenant).create()
    integration = M365Integration(
        tenant_id=spec.tenant_id, client_id=client_id, secret_name="fleet-secret", connected_at=now
    )
    IntegrationRepository(clients, tenant, TOKENS).save(integration)
    return RefreshTenant(org_id=tenant.org_id, run_id="daily-2026-01-15", as_of=AS_OF, trigger="schedule")


def test_a_fleet_of_mixed_sizes_refreshes_completely(sim, clients, storage_connection_string, tmp_path: Path):
    secrets = LocalSecretStore(tmp_path / "secrets.json")
    secrets.set("fleet-secret", "fleet-secret")
    client = f"f1ee{uuid.uuid4().hex[:4]}-0000-4000-8000-000000000005"
    messages = [_organisation(clients, spec, client) for spec in TENANTS[:6]]  # 40 … 2,400 accounts
    org_of = {message.org_id: spec for message, spec in zip(messages, TENANTS, strict=False)}
    # Whole refreshes make the simulator (in this process) generate every report, stalling its event loop
    # for a second or more on these two cores, so a request can be counted that much after it was sent: a
    # gentler scale and a wider margin keep such stalls inside the slack, as they are against Graph.
    graph = _graph(sim, storage_connection_string, GovernorConfig(scale=FLEET_SCALE, margin=0.3))
    # Each worker takes one large and one small organisation, the large one first.
    shares = [(messages[5 - p], messages[p]) for p in range(3)]
    sim.set_throttling(ThrottleMode.REALISTIC, FLEET_SCALE)
    outcomes = _run(
        [
            Refreshes(graph, str(tmp_path / "secrets.json"), tuple(m.model_dump_json() for m in share))
            for share in shares
        ]
    )

    assert all(outcome["computed"] for outcome in outcomes.values())
    for message in messages:
        record = RunRepository(clients, message.tenant, TOKENS).get(message.run_id)
        assert record.state == "computing"
        assert record.datasets["sign_in_activity"].rows == org_of[message.org_id].accounts
    assert sim.throttling_counters()["refused"] == {}
    smallest, largest = messages[0].org_id, messages[5].org_id
    assert outcomes[smallest]["finished"] < outcomes[largest]["finished"]
    # Each tenant's size is kept for tomorrow's plan.
    sizes = QuotaGovernor(clients, TOKENS).known_accounts()
    assert all(sizes[spec.tenant_id] == spec.accounts for spec in TENANTS[:6])
