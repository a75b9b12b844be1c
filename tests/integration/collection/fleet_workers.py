"""Worker processes for the fleet tests: each works on its share concurrently (as a Function instance
runs several queue messages at once), taking every shared-quota permit from the governor in Azurite."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shared.collection import Refresh, RefreshConfig
from shared.collection.sources import SIGN_IN_PAGE, get
from shared.graph import GovernorConfig, GraphSession, Priority, QuotaGate, QuotaGovernor, tenant_credential
from shared.messages import RefreshTenant
from shared.secrets import LocalSecretStore
from shared.storage import PageTokenSigner, StorageClients

TOKENS = PageTokenSigner(b"k" * 32)


@dataclass(frozen=True)
class Graph:
    graph_url: str
    authority: str
    connection: str
    quota: GovernorConfig | None  # None: no governor (the control)


@dataclass(frozen=True)
class Listings:
    """List `tenants`' users with signInActivity, `delay` seconds after the start, at `priority`."""

    graph: Graph
    client_id: str
    tenants: tuple[str, ...]
    priority: Priority = Priority.BATCH
    delay: float = 0.0


@dataclass(frozen=True)
class Refreshes:
    """Drive each message and its continuations to the end, as the queue would."""

    graph: Graph
    secrets_path: str
    messages: tuple[str, ...]


async def _list_sign_ins(job: Listings, governor: QuotaGovernor | None, tenant_id: str) -> float:
    credential = tenant_credential(job.graph.authority, tenant_id, job.client_id, "fleet-secret")
    gate = QuotaGate(governor, job.client_id, tenant_id, job.priority) if governor is not None else None
    async with GraphSession(job.graph.graph_url, credential, quota=gate) as session:
        request = session.freeze(get(session.sdk.users, select=["id", "signInActivity"], top=SIGN_IN_PAGE))
        async for _ in session.pages(request):
            pass
    return time.time()


async def _listings(job: Listings, clients: StorageClients) -> dict[str, float]:
    await asyncio.sleep(job.delay)
    governor = QuotaGovernor(clients, TOKENS, job.graph.quota) if job.graph.quota is not None else None
    finished = await asyncio.gather(*(_list_sign_ins(job, governor, tenant) for tenant in job.tenants))
    return dict(zip(job.tenants, finished, strict=True))


async def _drive(refresh: Refresh, first: RefreshTenant) -> tuple[str, float, bool]:
    message: RefreshTenant | None = first
    computed = False
    while message is not None:
        result = await refresh.handle(message)
        message, computed = result.continuation, result.compute is not None
    return first.org_id, time.time(), computed


async def _refreshes(job: Refreshes, clients: StorageClients) -> dict[str, Any]:
    assert job.graph.quota is not None
    config = RefreshConfig(job.graph.graph_url, job.graph.authority, 600, quota=job.graph.quota)
    refresh = Refresh(clients, TOKENS, LocalSecretStore(Path(job.secrets_path)), config)
    messages = [RefreshTenant.model_validate_json(text) for text in job.messages]
    done = await asyncio.gather(*(_drive(refresh, message) for message in messages))
    return {org_id: {"finished": at, "computed": computed} for org_id, at, computed in done}


def work(job: Listings | Refreshes, start: Any, results: Any) -> None:
    """Process entry point: wait for every worker to be ready, then work; put the outcome on `results`."""
    with StorageClients.from_connection_string(job.graph.connection) as clients:
        start.wait()
        run = _listings(job, clients) if isinstance(job, Listings) else _refreshes(job, clients)
        results.put(asyncio.run(run))
