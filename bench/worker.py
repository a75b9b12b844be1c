"""One measured collection, run as its own process so the parent can read its peak RSS.

    python -m bench.worker GRAPH_URL AUTHORITY TENANT_ID CONNECTION_STRING CONTAINER

Collects every dataset into Azurite through the production path (GraphSession → Collector → BlobSink)
and prints one JSON line: wall seconds and per-dataset rows.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from datetime import UTC, datetime

from azure.storage.blob.aio import BlobServiceClient

from shared.collection import BlobSink, Budget, Collector, collect_all
from shared.graph import GraphSession, tenant_credential

CLIENT_ID = "0b3e6d1c-3333-4000-a000-00000000be01"


async def collect(
    graph_url: str, authority: str, tenant_id: str, connection: str, container: str
) -> dict[str, object]:
    started = time.perf_counter()
    credential = tenant_credential(authority, tenant_id, CLIENT_ID, "bench")
    async with (
        GraphSession(graph_url, credential) as session,
        BlobServiceClient.from_connection_string(connection) as blobs,
    ):
        sink = BlobSink(blobs.get_container_client(container), "raw/bench/")
        manifest = await collect_all(
            Collector(session, sink, Budget.seconds(10**9)),
            sink,
            run_id="bench",
            as_of=datetime.now(UTC).date(),
            tenant_id=tenant_id,
        )
    return {
        "seconds": time.perf_counter() - started,
        "rows": {e.dataset: e.rows for e in manifest.datasets},
        "bytes": sum(e.bytes for e in manifest.datasets),
        "failed": [e.dataset for e in manifest.datasets if e.status != "complete"],
    }


if __name__ == "__main__":
    print(json.dumps(asyncio.run(collect(*sys.argv[1:6]))))
