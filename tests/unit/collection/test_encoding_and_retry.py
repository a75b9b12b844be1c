"""Deterministic gzip members (checkpoint-proof bytes) and Retry-After parsing."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime

import pytest

from shared.collection.encoding import JsonlGzEncoder
from shared.graph import parse_retry_after

ROWS = [{"id": i, "name": f"user {i}", "tags": ["a", "b"][: i % 3]} for i in range(5000)]


def _encode(pages: list[list[dict[str, object]]], member_bytes: int) -> bytes:
    encoder = JsonlGzEncoder(member_bytes)
    out = bytearray()
    for page in pages:
        for row in page:
            out += encoder.add(row)
        if encoder.member_full:
            out += encoder.end_member()
    return bytes(out + encoder.end_member())


def test_members_end_at_page_boundaries_and_decompress_to_every_row():
    pages = [ROWS[i : i + 120] for i in range(0, len(ROWS), 120)]
    data = _encode(pages, member_bytes=8000)
    lines = gzip.decompress(data).splitlines()
    assert [json.loads(line) for line in lines] == ROWS
    assert data.count(b"\x1f\x8b\x08") > 10  # many members
    assert data == _encode(pages, member_bytes=8000)  # no timestamps, nothing random


@pytest.mark.parametrize(
    ("header", "seconds"),
    [("2.128", 2.128), ("10", 10.0), ("0", 0.0), ("-3", 0.0), ("nan", None), ("soon", None), (None, None)],
)
def test_retry_after_seconds_may_be_fractional(header: str | None, seconds: float | None):
    assert parse_retry_after(header) == seconds


def test_retry_after_may_be_an_http_date():
    now = datetime(2026, 1, 15, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("Thu, 15 Jan 2026 12:00:07 GMT", now=lambda: now) == 7.0
