"""Where a snapshot goes: the organisation's blob container (Functions) or a folder (`dev.collect`).

Collectors write compressed bytes to a `DatasetWriter` and never know which. A writer can make what it
has so far durable (`checkpoint`) and be reopened at that `Position` by a later invocation: a blob by
re-committing its first `parts` committed blocks and staging more, a file by truncating to `size`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from azure.storage.blob.aio import ContainerClient

from shared.snapshot import Manifest
from shared.storage.block_blobs import AsyncBlobFolder, AsyncBlockBlob

BLOCK_BYTES = 4 * 1024 * 1024
_GZIP = "application/gzip"
_JSON = "application/json"
_READ_CHUNK = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Position:
    size: int  # bytes durable so far
    parts: int  # blocks committed so far (blob sink); 0 for files


@dataclass(frozen=True, slots=True)
class Written:
    size: int
    sha256: str


class DatasetWriter(Protocol):
    async def write(self, data: bytes) -> None: ...

    async def checkpoint(self) -> Position:
        """Make everything written so far durable; where to reopen."""
        ...

    async def finish(self) -> Written:
        """Make the dataset whole; its size and SHA-256 over every byte, earlier invocations' too."""
        ...

    async def restart(self) -> None:
        """Forget everything this writer was given: the dataset starts again empty (a report whose
        download arrived broken is read again from its first line)."""
        ...


class Sink(Protocol):
    async def open(self, name: str, resume: Position | None) -> DatasetWriter: ...

    async def write_manifest(self, manifest: Manifest) -> None: ...


class _Hashing:
    """Hashes as it goes; a writer reopened mid-file hashes the whole file once at the end instead."""

    def __init__(self, resumed: bool) -> None:
        self.hasher = None if resumed else hashlib.sha256()

    def update(self, data: bytes) -> None:
        if self.hasher is not None:
            self.hasher.update(data)


class BlobDatasetWriter:
    def __init__(self, blob: AsyncBlockBlob, committed: list[str], size: int) -> None:
        self._blob = blob
        self._blocks = committed
        self._size = size
        self._buffer = bytearray()
        self._hash = _Hashing(resumed=bool(committed))

    async def write(self, data: bytes) -> None:
        self._buffer += data
        self._size += len(data)
        self._hash.update(data)
        if len(self._buffer) >= BLOCK_BYTES:
            await self._stage()

    async def _stage(self) -> None:
        if not self._buffer:
            return
        # Ids must have one length within a blob. Restaging an id (after a crash) replaces that block.
        block_id = f"{len(self._blocks):08d}"
        await self._blob.stage(block_id, bytes(self._buffer))
        self._blocks.append(block_id)
        self._buffer.clear()

    async def restart(self) -> None:
        # Staged blocks nobody commits are dropped by the next commit; ids restart at 0 and replace them.
        self._blocks = []
        self._buffer.clear()
        self._size = 0
        self._hash = _Hashing(resumed=False)

    async def checkpoint(self) -> Position:
        await self._stage()
        await self._blob.commit(self._blocks, content_type=_GZIP)
        return Position(self._size, len(self._blocks))

    async def finish(self) -> Written:
        await self.checkpoint()
        if self._hash.hasher is not None:
            return Written(self._size, self._hash.hasher.hexdigest())
        hasher = hashlib.sha256()
        async for chunk in self._blob.chunks():
            hasher.update(chunk)
        return Written(self._size, hasher.hexdigest())


class BlobSink:
    """Datasets as block blobs under `prefix` in an (async) container client."""

    def __init__(self, container: ContainerClient, prefix: str) -> None:
        self._folder = AsyncBlobFolder(container, prefix)

    async def open(self, name: str, resume: Position | None) -> DatasetWriter:
        blob = self._folder.blob(name)
        if resume is None or resume.parts == 0:
            return BlobDatasetWriter(blob, [], 0)
        committed = await blob.committed()
        # A crash after a commit but before the cursor was saved leaves extra committed blocks: keep
        # only those the cursor counts, and stage the rest again.
        kept = committed[: resume.parts]
        if len(kept) != resume.parts or sum(b.size for b in kept) != resume.size:
            raise RuntimeError(f"{name}: the saved cursor does not match the committed blocks")
        return BlobDatasetWriter(blob, [b.block_id for b in kept], resume.size)

    async def write_manifest(self, manifest: Manifest) -> None:
        await self._folder.blob("manifest.json").upload(manifest.model_dump_json(), content_type=_JSON)


class FileDatasetWriter:
    def __init__(self, path: Path, resume: Position | None) -> None:
        self._path = path
        self._file: BinaryIO
        if resume is None:
            self._file = path.open("wb")
        else:
            self._file = path.open("r+b")
            self._file.truncate(resume.size)
            self._file.seek(resume.size)
        self._size = resume.size if resume else 0
        self._hash = _Hashing(resumed=resume is not None)

    async def write(self, data: bytes) -> None:
        self._file.write(data)
        self._size += len(data)
        self._hash.update(data)

    async def restart(self) -> None:
        self._file.seek(0)
        self._file.truncate()
        self._size = 0
        self._hash = _Hashing(resumed=False)

    async def checkpoint(self) -> Position:
        self._file.flush()
        return Position(self._size, 0)

    async def finish(self) -> Written:
        self._file.close()
        if self._hash.hasher is not None:
            return Written(self._size, self._hash.hasher.hexdigest())
        hasher = hashlib.sha256()
        with self._path.open("rb") as file:
            while chunk := file.read(_READ_CHUNK):
                hasher.update(chunk)
        return Written(self._size, hasher.hexdigest())


class DirectorySink:
    """Datasets as files in one local folder, same names as the blobs (support diagnostics, tests)."""

    def __init__(self, folder: str | Path) -> None:
        self._folder = Path(folder)
        self._folder.mkdir(parents=True, exist_ok=True)

    async def open(self, name: str, resume: Position | None) -> DatasetWriter:
        return FileDatasetWriter(self._folder / name, resume)

    async def write_manifest(self, manifest: Manifest) -> None:
        (self._folder / "manifest.json").write_text(manifest.model_dump_json(indent=2), encoding="utf-8")


__all__ = ["BlobSink", "DatasetWriter", "DirectorySink", "Position", "Sink", "Written"]
