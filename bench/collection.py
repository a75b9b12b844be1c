"""Collection benchmark: the Graph simulator in its own process, the collection in a measured child.

The child (`python -m bench.collection GRAPH AUTHORITY CONNECTION CONTAINER PREFIX AS_OF`) collects every
dataset through the production path (GraphSession → Collector → BlobSink), writes the manifest, and
prints one JSON line: wall seconds, per-dataset rows, bytes and failed datasets.
"""

from __future__ import annotations

import asyncio
import json
import math
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import httpx
from azure.storage.blob.aio import BlobServiceClient

from bench.common import AS_OF, CLIENT_ID, TENANT_ID, measure_child
from bench.io_floor import io_floor
from shared.collection import BlobSink, Budget, Collector, collect_all
from shared.collection.run import DEFAULT_CONCURRENCY
from shared.collection.sources import SIGN_IN_PAGE
from shared.graph import GraphSession, tenant_credential
from shared.runs import daily_run_id

# Graph's identity and access reports limits per app per tenant (learn.microsoft.com/graph/throttling-limits):
# 5 requests per 10 s, shared by the signInActivity listing (500 users a page) and userRegistrationDetails
# (1000 a page here), and 10 signInActivity requests a minute.
ENTRA_REPORTS_LIMIT, ENTRA_REPORTS_WINDOW, REGISTRATION_PAGE = 5, 10.0, 1000
SIGN_IN_LIMIT, SIGN_IN_WINDOW = 10, 60.0


@contextmanager
def simulator(accounts: int, throttling: str) -> Iterator[str]:
    """The Graph simulator for a tenant of `accounts`; yields its base URL."""
    command = [sys.executable, "-m", "dev.graph_sim", "--accounts", str(accounts), "--throttling", throttling]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)  # noqa: S603 -- our own module
    try:
        assert process.stdout is not None
        yield process.stdout.readline().strip()
    finally:
        process.terminate()
        process.wait()


def entra_floor_seconds(accounts: int) -> float:
    """The least time the identity and access reports limits allow for the pages this tenant needs."""
    sign_in = math.ceil(accounts / SIGN_IN_PAGE)
    requests = sign_in + math.ceil(accounts / REGISTRATION_PAGE)
    reports = max(0, math.ceil(requests / ENTRA_REPORTS_LIMIT) - 1) * ENTRA_REPORTS_WINDOW
    return max(reports, max(0, math.ceil(sign_in / SIGN_IN_LIMIT) - 1) * SIGN_IN_WINDOW)


def _token(base: str) -> str:
    form = {
        "grant_type": "client_credentials",
        "client_id": "bench",
        "client_secret": "bench",
        "scope": "https://graph.microsoft.com/.default",
    }
    token: str = httpx.post(f"{base}/{TENANT_ID}/oauth2/v2.0/token", data=form).json()["access_token"]
    return token


def measure(
    accounts: int, throttling: str, connection: str, container: str, prefix: str, *, floor: bool
) -> dict[str, Any]:
    """One collection of a synthetic tenant into `container`/`prefix`; with `floor`, the I/O floor too."""
    with simulator(accounts, throttling) as base:
        graph = base + "/v1.0"
        entry = measure_child(
            "bench.collection", graph, base, connection, container, prefix, AS_OF.isoformat()
        )
        entry |= {"accounts": accounts, "throttling": throttling}
        entry["accounts_per_second"] = accounts / entry["seconds"]
        if throttling != "off":
            entry["floor_seconds"] = entra_floor_seconds(accounts)
            entry["ratio_to_floor"] = entry["seconds"] / max(entry["floor_seconds"], 1e-9)
        elif floor:
            measured = asyncio.run(io_floor(graph, _token(base), connection, container, DEFAULT_CONCURRENCY))
            entry["io_floor_seconds"] = measured["seconds"]
            entry["io_floor_bytes"] = measured["bytes"]
            entry["ratio_to_io_floor"] = entry["seconds"] / measured["seconds"]
    return entry


async def _collect(argv: list[str]) -> dict[str, Any]:
    graph, authority, connection, container, prefix, day = argv
    as_of = date.fromisoformat(day)
    started = time.perf_counter()
    credential = tenant_credential(authority, TENANT_ID, CLIENT_ID, "bench")
    async with (
        GraphSession(graph, credential) as session,
        BlobServiceClient.from_connection_string(connection) as blobs,
    ):
        sink = BlobSink(blobs.get_container_client(container), prefix)
        manifest = await collect_all(
            Collector(session, sink, Budget.seconds(10**9)),
            sink,
            run_id=daily_run_id(as_of),
            as_of=as_of,
            tenant_id=TENANT_ID,
        )
    return {
        "seconds": time.perf_counter() - started,
        "rows": {e.dataset: e.rows for e in manifest.datasets},
        "bytes": sum(e.bytes for e in manifest.datasets),
        "failed": [e.dataset for e in manifest.datasets if e.status != "complete"],
    }


if __name__ == "__main__":
    print(json.dumps(asyncio.run(_collect(sys.argv[1:]))))
