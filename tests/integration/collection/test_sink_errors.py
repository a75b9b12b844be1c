"""The blob sink's failures are storage errors, like every other storage call: a refresh whose
organisation's container is gone (offboarded meanwhile) fails with `NotFoundError`, never an SDK type."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from azure.core.exceptions import AzureError
from azure.storage.blob.aio import BlobServiceClient

from shared.collection.sinks import BlobSink
from shared.storage import InvalidArgumentError, NotFoundError


def _write_to_missing_container(connection: str) -> None:
    async def run() -> None:
        async with BlobServiceClient.from_connection_string(connection) as service:
            container = service.get_container_client(f"gone-{uuid.uuid4().hex[:12]}")
            writer = await BlobSink(container, "raw/2026-06-14/daily-1/").open("users.jsonl.gz", None)
            await writer.write(b"data")
            await writer.checkpoint()

    asyncio.run(run())


def test_writing_into_a_missing_container_is_a_not_found_storage_error(storage_connection_string) -> None:
    with pytest.raises(NotFoundError) as raised:
        _write_to_missing_container(storage_connection_string)
    assert not isinstance(raised.value, AzureError)


def test_a_dataset_name_that_is_no_blob_name_is_refused_before_any_request(storage_connection_string) -> None:
    async def run() -> None:
        async with BlobServiceClient.from_connection_string(storage_connection_string) as service:
            await BlobSink(service.get_container_client("unused"), "raw/").open("../escape", None)

    with pytest.raises(InvalidArgumentError):
        asyncio.run(run())
