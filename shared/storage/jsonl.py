"""Streaming JSON Lines + gzip to and from block blobs, in bounded memory.

Writing compresses rows as they come and uploads the compressed stream as staged blocks of about
`block_size` bytes, then commits the block list. Memory stays near one block whatever the row count, and
because staged blocks are invisible until the commit, readers see the old blob or the whole new one,
never a partial file. Reading decompresses the download stream chunk by chunk.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import IO, Any, cast

from azure.core import MatchConditions
from azure.storage.blob import BlobBlock, BlobClient, ContentSettings, StorageStreamDownloader

from shared.storage.errors import InvalidArgumentError

DEFAULT_BLOCK_BYTES = 4 * 1024 * 1024
# Rows are handed to the compressor in batches of about this many bytes: one zlib call per row is slow.
_BATCH_BYTES = 64 * 1024
# Level 6 (zlib's default) costs a fraction of gzip's level 9 in CPU for nearly the same size; snapshot
# writing is on the refresh's critical path.
_COMPRESS_LEVEL = 6
_GZIP_WBITS = 16 + zlib.MAX_WBITS  # zlib writes a gzip header and trailer (mtime 0: same rows, same bytes)
JSONL_GZ_CONTENT_SETTINGS = ContentSettings(content_type="application/gzip")


@dataclass(frozen=True, slots=True)
class BlobWriteResult:
    """What was written: the row count, and the size and SHA-256 (hex) of the stored blob's bytes."""

    rows: int
    bytes: int
    sha256: str


class _StagedBlocks:
    """Buffers bytes and stages a block each time the buffer reaches `block_size`."""

    def __init__(self, blob: BlobClient, block_size: int, *, create_only: bool = False) -> None:
        self._blob = blob
        # If-None-Match: * on the commit: a blob that already exists is never replaced (AlreadyExistsError).
        self._conditions: dict[str, Any] = (
            {"match_condition": MatchConditions.IfMissing} if create_only else {}
        )
        self._block_size = block_size
        self._buffer = bytearray()
        self._block_ids: list[str] = []
        self.size = 0
        self.sha256 = hashlib.sha256()

    def write(self, data: bytes) -> None:
        self._buffer += data
        self.size += len(data)
        self.sha256.update(data)
        if len(self._buffer) >= self._block_size:
            self._stage()

    def _stage(self) -> None:
        # Block ids must all have the same length within a blob; the SDK base64-encodes them.
        block_id = f"{len(self._block_ids):08d}"
        self._blob.stage_block(block_id, bytes(self._buffer))
        self._block_ids.append(block_id)
        self._buffer.clear()

    def commit(self) -> None:
        if self._buffer:
            self._stage()
        self._blob.commit_block_list(
            [BlobBlock(block_id) for block_id in self._block_ids],
            content_settings=JSONL_GZ_CONTENT_SETTINGS,
            **self._conditions,
        )


def _encode(row: Mapping[str, Any], index: int) -> bytes:
    try:
        return json.dumps(row, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode() + b"\n"
    except (TypeError, ValueError) as error:
        problem = type(error).__name__
        raise InvalidArgumentError(f"row {index} is not JSON-serialisable ({problem})") from error


def upload_jsonl_gz(
    blob: BlobClient, rows: Iterable[Mapping[str, Any]], block_size: int, *, create_only: bool = False
) -> BlobWriteResult:
    if block_size < 1:
        raise InvalidArgumentError("block size must be positive")
    blocks = _StagedBlocks(blob, block_size, create_only=create_only)
    compressor = zlib.compressobj(_COMPRESS_LEVEL, zlib.DEFLATED, _GZIP_WBITS)
    batch: list[bytes] = []
    batch_bytes = count = 0
    for count, row in enumerate(rows, start=1):
        line = _encode(row, count)
        batch.append(line)
        batch_bytes += len(line)
        if batch_bytes >= _BATCH_BYTES:
            blocks.write(compressor.compress(b"".join(batch)))
            batch, batch_bytes = [], 0
    blocks.write(compressor.compress(b"".join(batch)) + compressor.flush())
    blocks.commit()
    return BlobWriteResult(rows=count, bytes=blocks.size, sha256=blocks.sha256.hexdigest())


def iter_jsonl_gz(download: StorageStreamDownloader[bytes]) -> Iterator[dict[str, Any]]:
    # The downloader is file-like (`read(size)`), fetching one chunk at a time as GzipFile asks for more.
    with gzip.GzipFile(fileobj=cast(IO[bytes], download), mode="rb") as lines:
        for line in lines:
            row: dict[str, Any] = json.loads(line)
            yield row
