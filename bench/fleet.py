"""Fleet benchmark: the nightly signInActivity refresh of a fleet of organisations of mixed sizes, through
one app, against Microsoft Graph's shared quota, time-scaled.

One simulator (in this process) serves every tenant with realistic throttling at `scale`; worker
processes, each running several collections at once (as a Function instance runs several queue
messages), collect each tenant's `sign_in_activity` dataset through the production path (GraphSession
with the quota governor in Azurite → Collector → BlobSink), smallest tenants first as the daily plan
orders them. The shared quota (10 signInActivity pages a minute per app for all tenants) makes this
dataset the fleet's bottleneck, so the floor is the fleet's pages ÷ 10 a minute, divided by `scale`.
A scaled minute must stay long next to how late a request can reach the simulator on a busy machine, or
the governor's margin cannot cover it: 40 makes it 1.5 s, and the 7 % margin 105 ms, half of it for a
worker waking late for its slot (it gives the slot up beyond that: `missed_slots`) and half for the way to
the simulator. Both the simulator's process (this one) and each worker freeze their heap once loaded
(`gc.freeze`): a full collection of msgraph-sdk's and the harness's objects stalls an event loop for about
100 ms on this machine, which at ×40 is 4 s of Graph's time; the simulator, stalled, counted requests that
arrived during the pause together, and refused the last (measured: every shared-quota 429 of a quiet run
came within a window of a full collection). The other datasets are not limited fleet-wide and are left
out to keep the run to a few minutes on two cores.
"""

from __future__ import annotations

import asyncio
import gc
import math
import multiprocessing
import queue
import random
import time
from dataclasses import dataclass
from typing import Any

from azure.storage.blob.aio import BlobServiceClient

from bench.common import AS_OF, TOKENS
from dev.graph_sim import SimulatorConfig, ThrottleMode, start_simulator
from dev.graph_sim.tenancy import fleet_tenant
from shared.collection import BlobSink, Budget, Collector
from shared.collection.sources import OLDER_SIGN_IN_PAGE, SIGN_IN_PAGE
from shared.graph import GovernorConfig, GraphSession, QuotaGate, QuotaGovernor, tenant_credential
from shared.graph.quota import SIGN_IN_ACTIVITY
from shared.snapshot import Dataset
from shared.storage import StorageClients

APP = "f1ee7000-0000-4000-8000-00000000be01"  # one multi-tenant app for the whole fleet
CONTAINER = "bench-fleet"
SMALL = 200  # accounts: the organisations whose wait is reported
# (share of organisations, fewest accounts, most accounts), sizes log-uniform within each band.
MIX = ((0.70, 10, SMALL), (0.25, SMALL, 2_000), (0.045, 2_000, 10_000), (0.005, 10_000, 50_000))
WORKERS, CONCURRENCY = 3, 4
MARGIN = 0.07  # of each slot: room for a request to reach a busy simulator (see the docstring)


def fleet_sizes(organisations: int, seed: int = 15) -> list[int]:
    draw = random.Random(seed)
    sizes = []
    for share, low, high in MIX:
        count = max(1, round(organisations * share))
        sizes += [round(math.exp(draw.uniform(math.log(low), math.log(high)))) for _ in range(count)]
    return sorted(sizes[:organisations])


@dataclass(frozen=True)
class Job:
    graph_url: str
    authority: str
    connection: str
    scale: float


async def _collect(
    job: Job, governor: QuotaGovernor, blobs: BlobServiceClient, tenant_id: str
) -> dict[str, Any]:
    taken = time.time()
    credential = tenant_credential(job.authority, tenant_id, APP, "bench")
    gate = QuotaGate(governor, APP, tenant_id)
    async with GraphSession(job.graph_url, credential, quota=gate) as session:
        sink = BlobSink(blobs.get_container_client(CONTAINER), f"{tenant_id}/")
        outcome = await Collector(session, sink, Budget.seconds(10**9)).collect(Dataset.SIGN_IN_ACTIVITY)
    return {
        "tenant": tenant_id,
        "taken": taken,
        "finished": time.time(),
        "rows": outcome.rows,
        "status": outcome.status,
    }


async def _worker(job: Job, work: Any, results: Any) -> None:
    with StorageClients.from_connection_string(job.connection) as clients:
        governor = QuotaGovernor(clients, TOKENS, GovernorConfig(scale=job.scale, margin=MARGIN))
        async with BlobServiceClient.from_connection_string(job.connection) as blobs:

            async def lane() -> None:
                while True:
                    try:
                        tenant_id = work.get_nowait()
                    except queue.Empty:
                        return
                    results.put(await _collect(job, governor, blobs, tenant_id))

            await asyncio.gather(*(lane() for _ in range(CONCURRENCY)))
        stats = governor.stats
        results.put({"missed_slots": stats.missed, "permits": stats.permits, "conflicts": stats.conflicts})


def work(job: Job, start: Any, tasks: Any, results: Any) -> None:
    """Process entry point: collect tenants from `tasks` until there are none left."""
    _freeze_heap()
    start.wait()
    asyncio.run(_worker(job, tasks, results))


def _freeze_heap() -> None:
    """Keep what is loaded out of every later full collection (see the module's docstring)."""
    gc.collect()
    gc.freeze()


def measure(connection: str, organisations: int, scale: float) -> dict[str, Any]:
    sizes = fleet_sizes(organisations)
    specs = [fleet_tenant(index, accounts, AS_OF) for index, accounts in enumerate(sizes)]
    pages = sum(math.ceil(accounts / SIGN_IN_PAGE) for accounts in sizes)
    floor_seconds = pages * SIGN_IN_ACTIVITY.seconds / SIGN_IN_ACTIVITY.requests / scale
    config = SimulatorConfig(
        accounts=10,
        as_of=AS_OF,
        tenants=tuple(specs),
        throttling=ThrottleMode.REALISTIC,
        time_scale=scale,
        empty_page_every=0,
    )
    _freeze_heap()
    with start_simulator(config) as sim:
        with StorageClients.from_connection_string(connection) as clients:
            clients.container_client(CONTAINER).create_container()
        job = Job(sim.graph_url, sim.base_url, connection, scale)
        context = multiprocessing.get_context("spawn")
        start, tasks, results = context.Barrier(WORKERS + 1), context.Queue(), context.Queue()
        for spec in specs:  # smallest first, as the daily plan orders them
            tasks.put(spec.tenant_id)
        processes = [context.Process(target=work, args=(job, start, tasks, results)) for _ in range(WORKERS)]
        for process in processes:
            process.start()
        start.wait()
        started = time.time()
        received = [results.get(timeout=floor_seconds * 10 + 600) for _ in range(len(specs) + WORKERS)]
        for process in processes:
            process.join()
        counters = sim.throttling_counters()
    done = [r for r in received if "tenant" in r]
    governors = [r for r in received if "missed_slots" in r]
    accounts = dict(zip((s.tenant_id for s in specs), sizes, strict=True))
    finished = max(d["finished"] for d in done) - started
    small_waits = [d["finished"] - d["taken"] for d in done if accounts[d["tenant"]] <= SMALL]
    total = sum(sizes)
    refused = counters["refused"]
    return {
        "organisations": organisations,
        "accounts": total,
        "largest": max(sizes),
        "time_scale": scale,
        "pages": pages,
        "floor_seconds": floor_seconds,
        "seconds": finished,
        "ratio_to_floor": finished / floor_seconds,
        "refused": refused,
        "refused_shared": sum(n for limit, n in refused.items() if limit.endswith("/Application")),
        # Slots a worker woke too late for and gave up (a busy machine): the ratio's cost of no 429s.
        "missed_slots": sum(g["missed_slots"] for g in governors),
        "permits": sum(g["permits"] for g in governors),
        "conflicts": sum(g["conflicts"] for g in governors),  # reservations that lost a race and read again
        "incomplete": sum(d["status"] != "complete" or d["rows"] != accounts[d["tenant"]] for d in done),
        "small_wait_max_seconds": max(small_waits),
        "small_wait_max_scaled_minutes": max(small_waits) * scale / 60,
        "requests_per_1000_accounts": counters["admitted"].get("users_signin", 0) / total * 1000,
        "requests_per_1000_accounts_at_120": sum(math.ceil(n / OLDER_SIGN_IN_PAGE) for n in sizes)
        / total
        * 1000,
    }
