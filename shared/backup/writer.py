"""`run_backup`: stream every table, partition by partition, into the backup container.

Each table is read in (PartitionKey, RowKey) order, pages of 1,000 rows, and cut into parts of at most
`part_rows` rows, each a gzip-compressed JSON Lines blob; memory stays near one 4 MiB upload block
whatever the table's size. After each part its record is written; the manifest (tables, row counts,
the SHA-256 of every part, the time window the rows were read in) goes last.

Resumable: a run that stops (a crash, the host's timeout) leaves the records of the parts it finished,
and the next run with the same backup id continues each table after the last recorded row, so no row is
written twice into one backup and none is skipped. Two runs of the same backup at once cannot both
record a part: records are created with If-None-Match, and the loser stops.

Table storage has no snapshot: a row changed while the backup runs is saved as it was when its page was
read. The manifest's time window says when that was.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime
from itertools import islice
from typing import Any

from azure.data.tables import TableClient
from azure.storage.blob import ContainerClient

from shared.backup.codec import Row, encode_row
from shared.backup.manifest import (
    BACKED_UP_TABLES,
    BACKUP_CONTAINER,
    Key,
    Manifest,
    PartRecord,
    TableRecord,
    find_manifest,
    manifest_name,
    part_blob_name,
    part_record_name,
    part_records,
    write_once,
)
from shared.storage import AlreadyExistsError, StorageClients, TableName
from shared.storage.errors import translate_errors
from shared.storage.jsonl import upload_jsonl_gz

log = logging.getLogger(__name__)
PART_ROWS = 50_000
_PAGE = 1000  # the service's largest page
_BLOCK_BYTES = 4 * 1024 * 1024
RowHook = Callable[[TableName, int], None]  # called with each row's table and the run's row count so far


class BackupRaceError(RuntimeError):
    """Another run of the same backup recorded a part first; this run stops and leaves it to that one."""


def backup_container(clients: StorageClients) -> ContainerClient:
    container = clients.container_client(BACKUP_CONTAINER)
    with translate_errors("create the backup container"):
        if not container.exists():
            container.create_container()
    return container


def _rows_after(client: TableClient, after: Key | None) -> Iterator[Row]:
    """Every row of the table after `after`, in key order (the service returns rows in that order)."""
    if after is None:
        entities = client.list_entities(results_per_page=_PAGE)
    else:
        entities = client.query_entities(
            "PartitionKey gt @pk or ( PartitionKey eq @pk and RowKey gt @rk )",
            parameters={"pk": after[0], "rk": after[1]},
            results_per_page=_PAGE,
        )
    with translate_errors(f"read table {client.table_name}"):
        for entity in entities:
            yield dict(entity)


class _Part:
    """The rows of one part as they stream by: counts them and keeps the first and last keys."""

    def __init__(self, rows: Iterator[Row], limit: int, on_row: Callable[[], None]) -> None:
        self._rows = islice(rows, limit)
        self._on_row = on_row
        self.count = 0
        self.first: Key | None = None
        self.last: Key | None = None

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for row in self._rows:
            key = (str(row["PartitionKey"]), str(row["RowKey"]))
            self.first = self.first or key
            self.last = key
            self.count += 1
            yield encode_row(row)
            self._on_row()


class _TableBackup:
    def __init__(
        self,
        *,
        clients: StorageClients,
        container: ContainerClient,
        backup_id: str,
        clock: Callable[[], datetime],
        part_rows: int,
        on_row: Callable[[TableName], None],
    ) -> None:
        self._clients = clients
        self._container = container
        self._backup_id = backup_id
        self._clock = clock
        self._part_rows = part_rows
        self._on_row = on_row
        self._attempt = uuid.uuid4().hex[:8]

    def run(self, table: TableName, done: list[PartRecord]) -> list[PartRecord]:
        """Write the table's remaining parts after those already `done`; returns all of them."""
        parts = list(done)
        if parts and parts[-1].final:
            return parts
        after = next((part.last for part in reversed(parts) if part.last is not None), None)
        rows = _Peekable(_rows_after(self._clients.table_client(table), after))
        while True:
            parts.append(self._write_part(table, len(parts), rows))
            if parts[-1].final:
                return parts

    def _write_part(self, table: TableName, index: int, rows: _Peekable) -> PartRecord:
        started = self._clock()
        part = _Part(rows, self._part_rows, lambda: self._on_row(table))
        name = part_blob_name(self._backup_id, table.value, index, self._attempt)
        with translate_errors("write a backup part"):
            written = upload_jsonl_gz(
                self._container.get_blob_client(name), part, _BLOCK_BYTES, create_only=True
            )
        record = PartRecord(
            table=table.value,
            index=index,
            blob=name,
            rows=written.rows,
            bytes=written.bytes,
            sha256=written.sha256,
            first=part.first,
            last=part.last,
            started_at=started,
            finished_at=self._clock(),
            final=rows.exhausted(),
        )
        try:
            write_once(self._container, part_record_name(self._backup_id, table.value, index), record)
        except AlreadyExistsError:
            raise BackupRaceError(f"another run recorded part {index} of {table.value} first") from None
        return record


class _Peekable(Iterator[Row]):
    def __init__(self, rows: Iterator[Row]) -> None:
        self._rows = rows
        self._next: list[Row] = []

    def __next__(self) -> Row:
        if self._next:
            return self._next.pop()
        return next(self._rows)

    def exhausted(self) -> bool:
        if not self._next:
            self._next = list(islice(self._rows, 1))
        return not self._next


def run_backup(
    clients: StorageClients,
    backup_id: str,
    *,
    clock: Callable[[], datetime],
    part_rows: int = PART_ROWS,
    on_row: RowHook | None = None,
) -> Manifest:
    """Take (or finish) the backup `backup_id`; returns its manifest. A complete backup is left as it is."""
    container = backup_container(clients)
    existing = find_manifest(container, backup_id)
    if existing is not None:
        return existing
    recorded: dict[str, list[PartRecord]] = {}
    for record in part_records(container, backup_id):
        recorded.setdefault(record.table, []).append(record)
    count = sum(record.rows for records in recorded.values() for record in records)

    def row_written(table: TableName) -> None:
        nonlocal count
        count += 1
        if on_row is not None:
            on_row(table, count)

    writer = _TableBackup(
        clients=clients,
        container=container,
        backup_id=backup_id,
        clock=clock,
        part_rows=part_rows,
        on_row=row_written,
    )
    tables: dict[str, TableRecord] = {}
    for table in BACKED_UP_TABLES:
        parts = writer.run(table, sorted(recorded.get(table.value, []), key=lambda part: part.index))
        tables[table.value] = TableRecord(rows=sum(part.rows for part in parts), parts=parts)
        log.info("table backed up", extra={"table": table.value, "rows": tables[table.value].rows})
    every_part = [part for record in tables.values() for part in record.parts]
    manifest = Manifest(
        backup_id=backup_id,
        started_at=min(part.started_at for part in every_part),
        finished_at=max(part.finished_at for part in every_part),
        rows=sum(record.rows for record in tables.values()),
        tables=tables,
    )
    try:
        write_once(container, manifest_name(backup_id), manifest)
    except AlreadyExistsError:
        raise BackupRaceError("another run completed the backup first") from None
    log.info("backup complete", extra={"backup_id": backup_id, "rows": manifest.rows})
    return manifest
