"""A dataset writer that restarts keeps nothing of what it was given before: the blob (Azurite) and the
file hold, and hash, only the bytes written after `restart()` — what a report read again relies on."""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import uuid
from pathlib import Path

from azure.storage.blob.aio import BlobServiceClient

from shared.collection.sinks import BLOCK_BYTES, BlobSink, DirectorySink, Sink

BROKEN = b"x" * (BLOCK_BYTES + 10)  # more than a block: one is staged before the restart
WHOLE = gzip.compress(b'{"row":1}\n')


async def _write_broken_then_whole(sink: Sink) -> str:
    writer = await sink.open("report.jsonl.gz", None)
    await writer.write(BROKEN)
    await writer.restart()
    await writer.write(WHOLE)
    written = await writer.finish()
    assert written.size == len(WHOLE)
    return written.sha256


def test_a_restarted_blob_holds_only_what_came_after(storage_connection_string: str) -> None:
    async def run() -> bytes:
        async with BlobServiceClient.from_connection_string(storage_connection_string) as service:
            container = service.get_container_client(f"restart-{uuid.uuid4().hex[:12]}")
            await container.create_container()
            digest = await _write_broken_then_whole(BlobSink(container, "raw/"))
            assert digest == hashlib.sha256(WHOLE).hexdigest()
            blob = await container.get_blob_client("raw/report.jsonl.gz").download_blob()
            return await blob.readall()

    assert asyncio.run(run()) == WHOLE


def test_a_restarted_file_holds_only_what_came_after(tmp_path: Path) -> None:
    digest = asyncio.run(_write_broken_then_whole(DirectorySink(tmp_path)))
    assert digest == hashlib.sha256(WHOLE).hexdigest()
    assert (tmp_path / "report.jsonl.gz").read_bytes() == WHOLE
