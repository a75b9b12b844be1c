"""Partition-scoped table access: every operation is pinned to one PartitionKey.

`OrgTable` addresses the partition of the organisation in a `TenantContext` (optionally with a suffix,
e.g. `audit`'s `org_id|yyyymm`), and nothing else. `SharedTable` covers the few tables that are not
keyed by organisation (`organisations`, `identities`, `receipts`). Both hand out `TablePartition`, which
holds the operations; construct it only through them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from azure.core import MatchConditions
from azure.data.tables import EdmType, EntityProperty, TableClient, TableEntity, UpdateMode

from shared.storage.clients import StorageClients
from shared.storage.errors import EntityTooLargeError, InvalidArgumentError, NotFoundError, translate_errors
from shared.storage.keys import KEY_SEPARATOR, validate_key
from shared.storage.names import TableName
from shared.storage.tenant import TenantContext
from shared.storage.tokens import PageTokenSigner

MAX_PAGE_SIZE = 1000  # the service returns at most 1,000 entities per response
TRANSACTION_LIMIT = 100  # entity group transaction: at most 100 operations, one partition
_RESERVED_PROPERTIES = frozenset({"PartitionKey", "RowKey", "Timestamp", "etag"})
_PARTITION_SUFFIX = re.compile(r"[0-9A-Za-z_-]{1,64}")
_KEY_NAMES = frozenset({"PartitionKey", "RowKey"})
_INT32_MIN, _INT32_MAX = -(2**31), 2**31 - 1
# The Table service's limits (https://learn.microsoft.com/en-us/rest/api/storageservices/understanding-the-table-service-data-model):
# a string property is UTF-16 and at most 64 KiB, so is a binary one; an entity holds at most 252 properties
# besides PartitionKey, RowKey and Timestamp, and 1 MiB of data in all.
MAX_PROPERTY_BYTES = 64 * 1024
MAX_PROPERTIES = 252
MAX_ENTITY_BYTES = 1024 * 1024
_MAX_PROPERTY_UNITS = MAX_PROPERTY_BYTES // 2  # UTF-16 code units
_FIXED_SIZE_BYTES = 16  # numbers, booleans, dates and GUIDs take at most 16 bytes (a GUID)


@dataclass(frozen=True, slots=True)
class Entity:
    """A stored row: its RowKey, its properties (without the keys) and its ETag for conditional writes."""

    row_key: str
    properties: dict[str, Any]
    etag: str
    timestamp: datetime | None


@dataclass(frozen=True, slots=True)
class Page:
    items: list[Entity]
    # Opaque and signed for this partition; None on the last page. A page may be empty and still carry a
    # token (the service stops after 5 s of scanning): keep paging until the token is None.
    continuation_token: str | None


def _to_property(value: Any) -> Any:
    # The SDK sends a Python int as Edm.Int32 and refuses larger ones; tag those as Edm.Int64.
    if isinstance(value, int) and not isinstance(value, bool) and not _INT32_MIN <= value <= _INT32_MAX:
        return EntityProperty(value, EdmType.INT64)
    return value


def _from_property(value: Any) -> Any:
    # Edm.Int64 values come back wrapped; callers see plain Python values either way.
    return value.value if isinstance(value, EntityProperty) else value


def _utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _stored_bytes(value: Any) -> int | None:
    """A variable-size value's size as the service counts it, or None for a fixed-size one."""
    value = _from_property(value)
    if isinstance(value, str):
        return 2 * _utf16_units(value)
    if isinstance(value, bytes | bytearray):
        return len(value)
    return None


def _check_size(row: Mapping[str, Any]) -> None:
    """Refuse a row over a service limit, naming the property (never its value).

    The entity size follows the service's accounting: 4 bytes, 2 per key character, and per property
    8 bytes, 2 per name character and the value (strings and binaries 4 more for their length).
    """
    properties = {name: value for name, value in row.items() if name not in _KEY_NAMES}
    if len(properties) > MAX_PROPERTIES:
        raise EntityTooLargeError(f"a row holds at most {MAX_PROPERTIES} properties")
    total = 4 + 2 * sum(len(row[name]) for name in _KEY_NAMES)
    for name, value in properties.items():
        size = _stored_bytes(value)
        if size is not None and size > MAX_PROPERTY_BYTES:
            raise EntityTooLargeError(f"property {name} is over {MAX_PROPERTY_BYTES // 1024} KiB")
        total += 8 + 2 * len(name) + (4 + size if size is not None else _FIXED_SIZE_BYTES)
    if total > MAX_ENTITY_BYTES:
        raise EntityTooLargeError(f"a row is over {MAX_ENTITY_BYTES // 1024 // 1024} MiB")


def split_text(name: str, text: str) -> dict[str, str]:
    """`text` as string properties `name`, `name_1`, `name_2`, … each within the 64 KiB limit.

    For a document that may outgrow one property; the row as a whole stays within 1 MiB or is refused.
    A chunk never ends inside a surrogate pair (Python strings hold code points, not UTF-16 units).
    """
    chunks: list[str] = []
    start = 0
    while start < len(text) or not chunks:
        end = min(len(text), start + _MAX_PROPERTY_UNITS)
        while (units := _utf16_units(text[start:end])) > _MAX_PROPERTY_UNITS:
            # A code point is one or two units: dropping half the excess (rounded up) ends at most one unit
            # short of the limit.
            end -= (units - _MAX_PROPERTY_UNITS + 1) // 2
        chunks.append(text[start:end])
        start = end
    return {name if index == 0 else f"{name}_{index}": chunk for index, chunk in enumerate(chunks)}


def join_text(name: str, properties: Mapping[str, Any]) -> str:
    """The inverse of `split_text`: the chunks stored under `name`, `name_1`, … in order."""
    parts = [str(properties[name])]
    while (part := properties.get(f"{name}_{len(parts)}")) is not None:
        parts.append(str(part))
    return "".join(parts)


def _to_entity(raw: TableEntity) -> Entity:
    return Entity(
        row_key=raw["RowKey"],
        properties={name: _from_property(value) for name, value in raw.items() if name not in _KEY_NAMES},
        etag=raw.metadata["etag"] or "",  # the service always returns one, even with $select
        timestamp=raw.metadata.get("timestamp"),
    )


class TablePartition:
    """Operations on one partition of one table."""

    def __init__(
        self, client: TableClient, table: TableName, partition_key: str, tokens: PageTokenSigner
    ) -> None:
        self._client = client
        self._table = table
        self._partition_key = validate_key(partition_key, "partition key")
        self._tokens = tokens
        # `/` cannot occur in a table name or a key, so the scope names exactly one partition.
        self._token_scope = f"{table.value}/{partition_key}"

    @property
    def table(self) -> TableName:
        return self._table

    @property
    def partition_key(self) -> str:
        return self._partition_key

    def _row(self, row_key: str, properties: Mapping[str, Any]) -> dict[str, Any]:
        reserved = _RESERVED_PROPERTIES.intersection(properties)
        if reserved or any(name.startswith("odata.") for name in properties):
            raise InvalidArgumentError("properties may not set keys, Timestamp, etag or odata.* names")
        row = {name: _to_property(value) for name, value in properties.items()}
        row = {**row, "PartitionKey": self._partition_key, "RowKey": validate_key(row_key, "row key")}
        _check_size(row)
        return row

    def _operation(self, verb: str) -> str:
        return f"{verb} in table {self._table.value}"

    def get(self, row_key: str, *, select: Sequence[str] | None = None) -> Entity:
        with translate_errors(self._operation("get entity")):
            raw = self._client.get_entity(
                self._partition_key, validate_key(row_key, "row key"), select=list(select) if select else None
            )
        return _to_entity(raw)

    def find(self, row_key: str, *, select: Sequence[str] | None = None) -> Entity | None:
        """The row, or None when there is none (`get` raises `NotFoundError` instead)."""
        try:
            return self.get(row_key, select=select)
        except NotFoundError:
            return None

    def insert(self, row_key: str, properties: Mapping[str, Any]) -> str:
        """Create a row; `AlreadyExistsError` if it exists. Returns the new ETag."""
        with translate_errors(self._operation("insert entity")):
            metadata = self._client.create_entity(self._row(row_key, properties))
        return str(metadata["etag"])

    def upsert(self, row_key: str, properties: Mapping[str, Any], *, merge: bool = False) -> str:
        """Create or overwrite a row (or merge into it). Returns the new ETag."""
        with translate_errors(self._operation("upsert entity")):
            metadata = self._client.upsert_entity(
                self._row(row_key, properties), mode=UpdateMode.MERGE if merge else UpdateMode.REPLACE
            )
        return str(metadata["etag"])

    def update(self, row_key: str, properties: Mapping[str, Any], *, etag: str, merge: bool = False) -> str:
        """Replace (or merge into) a row only if it still has `etag` (If-Match).

        Raises `ConcurrencyError` if someone else wrote it since, `NotFoundError` if it is gone.
        """
        with translate_errors(self._operation("update entity")):
            metadata = self._client.update_entity(
                self._row(row_key, properties),
                mode=UpdateMode.MERGE if merge else UpdateMode.REPLACE,
                etag=etag,
                match_condition=MatchConditions.IfNotModified,
            )
        return str(metadata["etag"])

    def delete(self, row_key: str, *, etag: str | None = None) -> None:
        """Delete a row; a missing row is not an error (idempotent). With `etag`, only if unchanged."""
        conditions: dict[str, Any] = (
            {"etag": etag, "match_condition": MatchConditions.IfNotModified} if etag is not None else {}
        )
        with translate_errors(self._operation("delete entity")):
            self._client.delete_entity(self._partition_key, validate_key(row_key, "row key"), **conditions)

    def _filter(self, prefix: str | None, start: str | None, end: str | None) -> tuple[str, dict[str, str]]:
        """An OData filter pinned to this partition; values go in as parameters, which the SDK escapes."""
        if prefix is not None:
            if start is not None or end is not None:
                raise InvalidArgumentError("give a RowKey prefix or a start/end range, not both")
            validate_key(prefix, "row key prefix")
            # The smallest string greater than every string that starts with `prefix`. It is only a bound,
            # never a key, so it may be a character keys cannot hold (e.g. "raw." gives "raw/").
            start, end = prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)
        else:
            for bound, what in ((start, "range start"), (end, "range end")):
                if bound is not None:
                    validate_key(bound, what)
        clauses, parameters = ["PartitionKey eq @pk"], {"pk": self._partition_key}
        if start is not None:
            clauses.append("RowKey ge @start")
            parameters["start"] = start
        if end is not None:
            clauses.append("RowKey lt @end")
            parameters["end"] = end
        return " and ".join(clauses), parameters

    def query(
        self,
        *,
        prefix: str | None = None,
        start: str | None = None,
        end: str | None = None,
        select: Sequence[str] | None = None,
    ) -> Iterator[Entity]:
        """Every row in RowKey order, optionally with a RowKey prefix or in [start, end). Pages lazily."""
        query_filter, parameters = self._filter(prefix, start, end)
        with translate_errors(self._operation("query entities")):
            for raw in self._client.query_entities(
                query_filter,
                parameters=parameters,
                select=list(select) if select else None,
                results_per_page=MAX_PAGE_SIZE,
            ):
                yield _to_entity(raw)

    def list_page(
        self,
        *,
        prefix: str | None = None,
        start: str | None = None,
        end: str | None = None,
        select: Sequence[str] | None = None,
        page_size: int = 100,
        continuation_token: str | None = None,
    ) -> Page:
        """One page of rows; pass `continuation_token` from the previous page to get the next one."""
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise InvalidArgumentError(f"page size must be between 1 and {MAX_PAGE_SIZE}")
        position = self._tokens.verify(self._token_scope, continuation_token) if continuation_token else None
        query_filter, parameters = self._filter(prefix, start, end)
        with translate_errors(self._operation("query entities")):
            pages = self._client.query_entities(
                query_filter,
                parameters=parameters,
                select=list(select) if select else None,
                results_per_page=page_size,
            ).by_page(continuation_token=position)  # type: ignore[arg-type]  # the tables SDK's token is a dict
            items = [_to_entity(raw) for raw in next(pages)]
            next_position: dict[str, str] | None = pages.continuation_token  # type: ignore[attr-defined]
        return Page(
            items=items,
            continuation_token=self._tokens.sign(self._token_scope, next_position) if next_position else None,
        )

    def upsert_many(self, rows: Iterable[tuple[str, Mapping[str, Any]]], *, merge: bool = False) -> int:
        """Upsert rows in transactions of up to 100; returns how many were written.

        Each transaction is atomic; the whole call is not (a failure leaves earlier chunks written), so
        callers rely on upserts being idempotent and retry the call. A row key repeated within a chunk
        starts a new chunk, because a transaction may touch each entity only once.
        """
        mode = UpdateMode.MERGE if merge else UpdateMode.REPLACE
        chunk: dict[str, dict[str, Any]] = {}
        written = 0
        for row_key, properties in rows:
            if row_key in chunk or len(chunk) == TRANSACTION_LIMIT:
                written += self._submit([("upsert", row, {"mode": mode}) for row in chunk.values()])
                chunk = {}
            chunk[row_key] = self._row(row_key, properties)
        if chunk:
            written += self._submit([("upsert", row, {"mode": mode}) for row in chunk.values()])
        return written

    def delete_many(self, row_keys: Iterable[str]) -> int:
        """Delete rows in transactions of up to 100; missing rows are skipped. Returns how many were asked."""
        chunk: dict[str, dict[str, str]] = {}
        requested = 0
        for row_key in row_keys:
            if row_key in chunk:
                continue
            chunk[row_key] = {"PartitionKey": self._partition_key, "RowKey": validate_key(row_key, "row key")}
            if len(chunk) == TRANSACTION_LIMIT:
                requested += self._delete_chunk(list(chunk.values()))
                chunk = {}
        if chunk:
            requested += self._delete_chunk(list(chunk.values()))
        return requested

    def write_together(self, rows: Sequence[tuple[str, Mapping[str, Any], str | None]]) -> list[str]:
        """Write up to 100 rows of this partition atomically, all or none; returns their new ETags.

        Each row is (row key, properties, etag): with an etag it is replaced only if unchanged (If-Match),
        without one it is inserted. `ConcurrencyError` if any row changed since it was read.
        """
        if not 0 < len(rows) <= TRANSACTION_LIMIT:
            raise InvalidArgumentError(f"a transaction writes 1 to {TRANSACTION_LIMIT} rows")
        operations: list[Any] = [
            ("create", self._row(key, properties))
            if etag is None
            else (
                "update",
                self._row(key, properties),
                {"mode": UpdateMode.REPLACE, "etag": etag, "match_condition": MatchConditions.IfNotModified},
            )
            for key, properties, etag in rows
        ]
        with translate_errors(self._operation("submit transaction")):
            results = self._client.submit_transaction(operations)
        return [str(result["etag"]) for result in results]

    def _delete_chunk(self, keys: list[dict[str, str]]) -> int:
        try:
            return self._submit([("delete", key) for key in keys])
        except NotFoundError:
            # A row of the chunk is already gone (a retried or concurrent deletion) and a transaction fails
            # as a whole: fall back to single deletes, which treat a missing row as done.
            for key in keys:
                self.delete(key["RowKey"])
            return len(keys)

    def _submit(self, operations: list[Any]) -> int:
        with translate_errors(self._operation("submit transaction")):
            self._client.submit_transaction(operations)
        return len(operations)

    def delete_partition(self) -> int:
        """Delete every row of this partition (offboarding, erasure); returns how many were deleted."""
        return self.delete_many(entity.row_key for entity in self.query(select=["RowKey"]))


def scan_row(
    clients: StorageClients, table: TableName, row_key: str, select: Sequence[str]
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every partition's row `row_key`, as (PartitionKey, selected properties): one query across the whole
    table, for jobs over the whole fleet (the daily fan-out), never for a request of one organisation."""
    columns = ["PartitionKey", *select]
    with translate_errors(f"scan table {table.value}"):
        for raw in clients.table_client(table).query_entities(
            "RowKey eq @row", parameters={"row": validate_key(row_key, "row key")}, select=columns
        ):
            yield raw["PartitionKey"], {name: _from_property(raw.get(name)) for name in select}


class OrgTable(TablePartition):
    """One organisation's partition of an organisation-keyed table.

    The PartitionKey is the context's org id, or `org_id|suffix` when a table splits an organisation's
    rows over several partitions (`audit` uses `org_id|yyyymm`). The suffix is a plain token, so the
    result always starts with this organisation's id and its separator, and names no other organisation.
    """

    def __init__(
        self,
        clients: StorageClients,
        tenant: TenantContext,
        table: TableName,
        *,
        tokens: PageTokenSigner,
        partition_suffix: str | None = None,
    ) -> None:
        if not table.org_partitioned:
            raise InvalidArgumentError(f"table {table.value} is not partitioned by organisation")
        partition_key = tenant.org_id
        if partition_suffix is not None:
            if _PARTITION_SUFFIX.fullmatch(partition_suffix) is None:
                raise InvalidArgumentError("a partition suffix is 1-64 letters, digits, '_' or '-'")
            partition_key = f"{tenant.org_id}{KEY_SEPARATOR}{partition_suffix}"
        super().__init__(clients.table_client(table), table, partition_key, tokens)
        self._tenant = tenant

    @property
    def tenant(self) -> TenantContext:
        return self._tenant


class SharedTable:
    """A table that is not keyed by organisation; callers name the partition explicitly."""

    def __init__(self, clients: StorageClients, table: TableName, *, tokens: PageTokenSigner) -> None:
        if table.org_partitioned:
            raise InvalidArgumentError(f"table {table.value} is per organisation: use OrgTable")
        self._client = clients.table_client(table)
        self._table = table
        self._tokens = tokens

    def partition(self, partition_key: str) -> TablePartition:
        return TablePartition(self._client, self._table, partition_key, self._tokens)
