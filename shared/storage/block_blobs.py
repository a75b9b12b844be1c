"""Block blobs written in parts through the async SDK (the collectors' datasets), errors translated.

A dataset is staged block by block and committed at checkpoints, so a later invocation can reopen it at
the committed blocks it counted. Every call goes through `translate_errors`, like the rest of the storage
layer: callers see `NotFoundError`, `StorageError` …, never an Azure SDK exception.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

from azure.storage.blob import BlobBlock, ContentSettings
from azure.storage.blob.aio import BlobClient, ContainerClient

from shared.storage.blobs import validate_blob_name
from shared.storage.errors import translate_errors


@dataclass(frozen=True, slots=True)
class CommittedBlock:
    block_id: str
    size: int


class AsyncBlockBlob:
    def __init__(self, blob: BlobClient) -> None:
        self._blob = blob

    async def stage(self, block_id: str, data: bytes) -> None:
        """Stage one block; staging an id again replaces that block."""
        with translate_errors("stage block"):
            await self._blob.stage_block(block_id, data)

    async def commit(self, block_ids: list[str], *, content_type: str) -> None:
        """Make the blob exactly these blocks, in this order (staged blocks left out are dropped)."""
        with translate_errors("commit block list"):
            await self._blob.commit_block_list(
                [BlobBlock(block_id) for block_id in block_ids],
                content_settings=ContentSettings(content_type=content_type),
            )

    async def committed(self) -> list[CommittedBlock]:
        with translate_errors("get block list"):
            blocks, _ = await self._blob.get_block_list("committed")
        return [CommittedBlock(block.id, block.size) for block in blocks]

    async def upload(self, data: bytes | str, *, content_type: str) -> None:
        """Write the whole blob at once, replacing it."""
        with translate_errors("upload blob"):
            await self._blob.upload_blob(
                data, overwrite=True, content_settings=ContentSettings(content_type=content_type)
            )

    async def chunks(self) -> AsyncIterator[bytes]:
        with translate_errors("download blob"):
            download = await self._blob.download_blob()
            async for chunk in download.chunks():
                yield chunk


class AsyncBlobFolder:
    """The blobs under one prefix of a container (an organisation's snapshot of one run)."""

    def __init__(self, container: ContainerClient, prefix: str) -> None:
        self._container = container
        self._prefix = prefix

    def blob(self, name: str) -> AsyncBlockBlob:
        return AsyncBlockBlob(self._container.get_blob_client(validate_blob_name(self._prefix + name)))
