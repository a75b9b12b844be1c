"""OData query options as Graph handles them for the collections served here (graph_api.md §2, §4)."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass

from yarl import URL


class QueryError(ValueError):
    """A query Graph would reject with 400; the message is Graph-like."""


@dataclass(frozen=True, slots=True)
class Clause:
    prop: str
    op: str
    value: str  # literal as written: true, false, 'text', 0, 2024-01-01T00:00:00Z


_CLAUSE = re.compile(r"^\s*([A-Za-z/$]+)\s+(eq|ne|le|ge|lt|gt)\s+(.+?)\s*$")


def parse_filter(raw: str | None) -> list[Clause]:
    if not raw:
        return []
    clauses = []
    for part in re.split(r"\s+and\s+", raw.strip()):
        match = _CLAUSE.match(part)
        if match is None:
            raise QueryError(f"Invalid filter clause: {part}")
        prop, op, value = match.groups()
        clauses.append(Clause(prop, op, value.strip("'") if value.startswith("'") else value))
    return clauses


def parse_select(raw: str | None) -> list[str] | None:
    if raw is None:
        return None
    return [p.strip() for p in raw.split(",") if p.strip()]


def parse_top(raw: str | None, default: int, maximum: int) -> int:
    if raw is None:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= maximum:
        raise QueryError(f"Invalid page size specified: '{raw}'. Must be between 1 and {maximum} inclusive.")
    return int(raw)


def encode_skiptoken(index: int, page: int) -> str:
    # Opaque to clients, as Graph's is ("Do not try to extract the $skiptoken", paging.md).
    return base64.urlsafe_b64encode(f"X'{index:x}.{page:x}'".encode()).decode().rstrip("=")


def decode_skiptoken(raw: str | None) -> tuple[int, int]:
    if raw is None:
        return 0, 0
    try:
        text = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode()
        index, page = text[2:-1].split(".")
        return int(index, 16), int(page, 16)
    except (ValueError, UnicodeDecodeError) as exc:
        raise QueryError("Invalid $skiptoken.") from exc


def next_link(base_url: str, path: str, query: dict[str, str], index: int, page: int) -> str:
    """Absolute, on the simulator origin, carrying every original option (msgraph PageIterator needs
    absolute nextLinks, graph_api.md §8)."""
    params = {k: v for k, v in query.items() if k != "$skiptoken"}
    params["$skiptoken"] = encode_skiptoken(index, page)
    return str(URL(base_url + path).with_query(params))
