"""Reads across partitions, which the storage layer leaves out on purpose, kept to one organisation.

`org_partitions` finds every partition an organisation owns in an organisation-keyed table: its own
(`org_id`) and the suffixed ones (`org_id|yyyymm` in `audit`). It skips from partition to partition
with one `$top=1` query each (`PartitionKey gt <last>`), so it costs one request per partition, not per
row, and it hands back `OrgTable`s, which can only address that organisation. `shared_rows` is a
filtered scan of a shared table (the `identities` index by org id and member id).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from azure.data.tables import TableEntity

from shared.storage.clients import StorageClients
from shared.storage.errors import translate_errors
from shared.storage.keys import KEY_SEPARATOR
from shared.storage.names import TableName
from shared.storage.tables import OrgTable
from shared.storage.tenant import TenantContext
from shared.storage.tokens import PageTokenSigner

# Every key of an organisation is `org_id` or `org_id|...`; `}` is the character after `|`.
_AFTER_SEPARATOR = chr(ord(KEY_SEPARATOR) + 1)


def _next_partition_key(
    clients: StorageClients, table: TableName, after: str | None, tenant: TenantContext
) -> str | None:
    low, operator = (tenant.org_id, "ge") if after is None else (after, "gt")
    query = f"PartitionKey {operator} @low and PartitionKey lt @high"
    parameters = {"low": low, "high": tenant.org_id + _AFTER_SEPARATOR}
    with translate_errors(f"scan partitions in table {table.value}"):
        rows = clients.table_client(table).query_entities(
            query, parameters=parameters, select=["PartitionKey"], results_per_page=1
        )
        first = next(iter(rows), None)  # may page past empty pages; stops at the first row
    return None if first is None else str(first["PartitionKey"])


def org_partitions(
    clients: StorageClients, tenant: TenantContext, table: TableName, tokens: PageTokenSigner
) -> Iterator[OrgTable]:
    """Every partition of `table` that belongs to `tenant`, in key order (the bare one first)."""
    own_prefix = tenant.org_id + KEY_SEPARATOR
    after: str | None = None
    while (key := _next_partition_key(clients, table, after, tenant)) is not None:
        after = key
        if key == tenant.org_id:
            yield OrgTable(clients, tenant, table, tokens=tokens)
        elif key.startswith(own_prefix):
            suffix = key.removeprefix(own_prefix)
            yield OrgTable(clients, tenant, table, tokens=tokens, partition_suffix=suffix)


def shared_rows(
    clients: StorageClients,
    table: TableName,
    equals: Mapping[str, str],
    *,
    select: Sequence[str] = ("PartitionKey", "RowKey"),
) -> Iterator[TableEntity]:
    """Rows of a shared table whose properties equal `equals` (a parameterised filter, whole table)."""
    if table.org_partitioned or not equals:
        raise ValueError("shared_rows scans a shared table by at least one property")
    names = sorted(equals)
    query = " and ".join(f"{name} eq @p{index}" for index, name in enumerate(names))
    parameters: dict[str, Any] = {f"p{index}": equals[name] for index, name in enumerate(names)}
    with translate_errors(f"scan table {table.value}"):
        yield from clients.table_client(table).query_entities(
            query, parameters=parameters, select=list(select)
        )
