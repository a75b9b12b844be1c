"""Rows → gzip-compressed JSON Lines, as a series of gzip members ended at deterministic points.

A collection that stops for a checkpoint must later produce exactly the bytes an uninterrupted one
would (same sha256). A gzip compressor's state cannot be saved between invocations, so the stream is
cut into independent gzip members (a valid multi-member gzip file, RFC 1952 §2.2), each ended at the
first page boundary after it holds `member_bytes` of JSON. Those boundaries depend only on the data,
and checkpoints happen only there, so where an invocation stopped never shows in the output.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Mapping
from typing import Any

# 1 MiB of JSON: about 58 signInActivity pages, so a checkpoint comes within ~2 minutes even at the
# Entra-reports limit of 5 requests per 10 s; smaller members would cost compression ratio.
DEFAULT_MEMBER_BYTES = 1024 * 1024
_BATCH_BYTES = 64 * 1024  # one zlib call per ~64 KiB of lines, not per row
_LEVEL = 6
_GZIP_WBITS = 16 + zlib.MAX_WBITS  # header with mtime 0: the same rows give the same bytes


def encode_row(row: Mapping[str, Any]) -> bytes:
    return json.dumps(row, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode() + b"\n"


class JsonlGzEncoder:
    def __init__(self, member_bytes: int = DEFAULT_MEMBER_BYTES) -> None:
        self._member_bytes = member_bytes
        self._compressor = zlib.compressobj(_LEVEL, zlib.DEFLATED, _GZIP_WBITS)
        self._batch: list[bytes] = []
        self._batch_bytes = 0
        self._member_raw = 0
        self.rows = 0

    def add(self, row: Mapping[str, Any]) -> bytes:
        """Queue one row; returns compressed bytes ready to write (often none)."""
        line = encode_row(row)
        self._batch.append(line)
        self._batch_bytes += len(line)
        self._member_raw += len(line)
        self.rows += 1
        if self._batch_bytes >= _BATCH_BYTES:
            return self._drain()
        return b""

    def _drain(self) -> bytes:
        data = self._compressor.compress(b"".join(self._batch))
        self._batch, self._batch_bytes = [], 0
        return data

    @property
    def member_full(self) -> bool:
        return self._member_raw >= self._member_bytes

    def end_member(self) -> bytes:
        """Close the current gzip member (nothing if it is empty) and start a new one."""
        if not self._member_raw:
            return b""
        data = self._drain() + self._compressor.flush()
        self._compressor = zlib.compressobj(_LEVEL, zlib.DEFLATED, _GZIP_WBITS)
        self._member_raw = 0
        return data
