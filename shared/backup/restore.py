"""Restore tables from a table backup, then re-apply the deletion journal.

Scope: every table, one table, or one organisation (its partitions of every organisation-keyed table,
its `organisations` row and its members' `identities` rows). Rows are upserted: a row the backup holds
gets the backup's value back (deleted and damaged rows are repaired); a row written after the backup is
left alone. Restoring twice gives the same tables (idempotent).

Resumable: after each part the checkpoint file lists it as done, and a run with the same checkpoint skips
it; re-writing the part that was interrupted is harmless (upserts). Before it reports success the restore
re-applies every erasure and offboarding in the deletion journal, so nothing erased after the backup
comes back. Run `python -m shared.backup.restore --help`.
"""

from __future__ import annotations

import argparse
import base64
import gzip
import hashlib
import json
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, cast

from azure.data.tables import TableClient, UpdateMode
from azure.storage.blob import ContainerClient, StorageStreamDownloader
from pydantic import BaseModel

from shared.backup.codec import Row, decode_row
from shared.backup.manifest import (
    BACKUP_CONTAINER,
    BackupCorruptError,
    Manifest,
    PartRecord,
    complete_backups,
    get_manifest,
)
from shared.lifecycle.journal import DeletionJournal, JournalEntry
from shared.lifecycle.owners import owner_of
from shared.lifecycle.replay import replay_journal
from shared.ownership import RowOfOrganisation
from shared.services import Services
from shared.settings import SettingsError, load_settings
from shared.storage import PageTokenSigner, StorageClients, TableName, validate_org_id
from shared.storage.errors import translate_errors
from shared.storage.keys import KEY_SEPARATOR
from shared.storage.tables import TRANSACTION_LIMIT

# Every key of an organisation is `org_id` or `org_id|...`; `}` is the character after `|`.
_AFTER_SEPARATOR = chr(ord(KEY_SEPARATOR) + 1)
RowHook = Callable[[int], None]  # called with the run's restored row count after each row


@dataclass(frozen=True)
class Scope:
    """What to restore: everything, one table, or one organisation."""

    table: TableName | None = None
    org_id: str | None = None

    def __post_init__(self) -> None:
        if self.org_id is not None:
            validate_org_id(self.org_id)

    def describe(self) -> str:
        if self.org_id is not None:
            return f"organisation {self.org_id}"
        return f"table {self.table.value}" if self.table is not None else "every table"

    def tables(self, manifest: Manifest) -> list[TableName]:
        names = [TableName(name) for name in manifest.tables]
        if self.table is not None:
            return [self.table]
        if self.org_id is not None:
            return [table for table in names if table.org_partitioned or _row_of_organisation(table)]
        return names

    def parts(self, manifest: Manifest, table: TableName) -> list[PartRecord]:
        parts = manifest.tables[table.value].parts
        if self.org_id is not None and table.org_partitioned:
            return [part for part in parts if part.may_hold(self.org_id, self.org_id + _AFTER_SEPARATOR)]
        return parts

    def keeps(self, table: TableName, row: Row) -> bool:
        if self.org_id is None:
            return True
        if table.org_partitioned:
            key = str(row["PartitionKey"])
            return key == self.org_id or key.startswith(self.org_id + KEY_SEPARATOR)
        row_of_organisation = _row_of_organisation(table)
        return row_of_organisation is not None and row_of_organisation(row, self.org_id)

    def replays(self, entry: JournalEntry) -> bool:
        return self.org_id is None or entry.org_id == self.org_id


def _row_of_organisation(table: TableName) -> RowOfOrganisation | None:
    """How the shared table's owner tells an organisation's rows (its own row, its login index entries);
    None for a shared table that holds none the restore of one organisation brings back."""
    return owner_of(table).row_of_organisation


class Checkpoint(BaseModel):
    """What a restore has done so far; kept in a local file so an interrupted restore resumes."""

    backup_id: str
    scope: str
    parts_done: list[str] = []
    rows: int = 0
    journal_replayed: int | None = None


class CheckpointFile:
    def __init__(self, path: Path, backup_id: str, scope: Scope) -> None:
        self.path = path
        fresh = Checkpoint(backup_id=backup_id, scope=scope.describe())
        if path.exists():
            saved = Checkpoint.model_validate_json(path.read_text())
            if (saved.backup_id, saved.scope) != (fresh.backup_id, fresh.scope):
                raise ValueError(
                    f"checkpoint {path} is for backup {saved.backup_id} ({saved.scope}); "
                    "use another --checkpoint file"
                )
            self.state = saved
        else:
            self.state = fresh

    def save(self) -> None:
        # Write then rename: a crash leaves the old checkpoint or the new one, never half of one.
        partial = self.path.with_suffix(self.path.suffix + ".partial")
        partial.write_text(self.state.model_dump_json(indent=1))
        os.replace(partial, self.path)


@dataclass
class Report:
    """Progress so far, for whoever shows it."""

    backup_id: str
    scope: str
    parts_total: int
    rows_total: int
    parts_done: int = 0
    rows: int = 0
    table: str = ""
    started: float = field(default_factory=time.monotonic)
    stage: str = "rows"

    def line(self) -> str:
        elapsed = max(time.monotonic() - self.started, 1e-9)
        if self.stage == "journal":
            return f"re-applying the deletion journal: {self.rows:,} rows restored in {elapsed:,.0f} s"
        share = 100 * self.rows / self.rows_total if self.rows_total else 100.0
        rate = self.rows / elapsed
        return (
            f"{self.table:<16} part {self.parts_done}/{self.parts_total}  "
            f"{self.rows:,}/{self.rows_total:,} rows ({share:.0f}%)  {rate:,.0f} rows/s"
        )


class _HashingReader:
    """A file-like view of a download that hashes the bytes as they are read."""

    def __init__(self, download: StorageStreamDownloader[bytes]) -> None:
        self._download = download
        self.sha256 = hashlib.sha256()
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        data = self._download.read(size)
        self.sha256.update(data)
        self.size += len(data)
        return data


def _part_rows(container: ContainerClient, part: PartRecord) -> Iterator[Row]:
    """The rows of a part as it downloads; raises `BackupCorruptError` at the end if it is not as recorded."""
    with translate_errors("read a backup part"):
        reader = _HashingReader(container.download_blob(part.blob))
        count = 0
        with gzip.GzipFile(fileobj=cast(IO[bytes], reader), mode="rb") as lines:
            for line in lines:
                count += 1
                yield json.loads(line)
    if (count, reader.size, reader.sha256.hexdigest()) != (part.rows, part.bytes, part.sha256):
        raise BackupCorruptError(f"part {part.blob} does not match its record (rows, size or SHA-256)")


def _upsert(client: TableClient, rows: Iterable[Row], on_row: Callable[[], None]) -> None:
    """Upsert rows in key order: one transaction per run of up to 100 rows of one partition."""
    batch: list[Row] = []

    def flush() -> None:
        with translate_errors(f"restore rows into {client.table_name}"):
            client.submit_transaction([("upsert", row, {"mode": UpdateMode.REPLACE}) for row in batch])
        for _ in batch:
            on_row()
        batch.clear()

    for row in rows:
        if batch and (len(batch) == TRANSACTION_LIMIT or batch[0]["PartitionKey"] != row["PartitionKey"]):
            flush()
        batch.append(decode_row(row))
    if batch:
        flush()


def restore(
    source: ContainerClient,
    backup_id: str,
    target: Services,
    journal: Iterable[JournalEntry],
    *,
    scope: Scope,
    checkpoint: CheckpointFile,
    on_progress: Callable[[Report], None] | None = None,
    on_row: RowHook | None = None,
) -> Checkpoint:
    """Restore `scope` from the backup into `target`, then re-apply `journal`; returns the checkpoint."""
    manifest = get_manifest(source, backup_id)
    plan = [(table, part) for table in scope.tables(manifest) for part in scope.parts(manifest, table)]
    state = checkpoint.state
    report = Report(
        backup_id=backup_id,
        scope=scope.describe(),
        parts_total=len(plan),
        rows_total=sum(part.rows for _, part in plan),
        parts_done=len(state.parts_done),
        rows=state.rows,
    )
    show = on_progress or (lambda _report: None)

    def row_done() -> None:
        report.rows += 1
        if on_row is not None:
            on_row(report.rows)

    for table, part in plan:
        if part.blob in state.parts_done:
            continue
        report.table = table.value
        rows = (row for row in _part_rows(source, part) if scope.keeps(table, row))
        _upsert(target.storage.table_client(table), rows, row_done)
        state.parts_done.append(part.blob)
        state.rows = report.rows
        report.parts_done = len(state.parts_done)
        checkpoint.save()
        show(report)
    if state.journal_replayed is None:
        report.stage = "journal"
        show(report)
        state.journal_replayed = replay_journal(target, [entry for entry in journal if scope.replays(entry)])
        checkpoint.save()
    return state


# --- the command line -----------------------------------------------------------------------------

_DESCRIPTION = """\
Restore Insight365's tables from a daily table backup (the `table-backups` container), then re-apply
every erasure and offboarding recorded since, so that nothing erased comes back.

  list                      show the complete backups, newest last
  run --backup ID           restore: everything (default), --table NAME, or --org ORG_ID

Storage: by default the account in the app's settings (AzureWebJobsStorage or
AzureWebJobsStorage__accountName, from the environment, as for the Function App); it holds the backups
and the deletion journal, and is where rows go unless --into-account / --into-connection-string names
another (for example an empty account, to inspect a backup). Identity-based access uses your Azure CLI
sign-in (DefaultAzureCredential): you need Storage Blob Data Reader on the backup account and Storage
Table Data Contributor on the target. INSIGHT365_PAGE_TOKEN_KEY must be the app's (Key Vault secret
page-token-key): erased members' pseudonyms are derived from it.

Rows in the backup overwrite the same rows in the target; rows written after the backup are kept.
Progress is printed after every part. Interrupted? Run the same command again: the checkpoint file
(--checkpoint, default ./restore-<backup>.checkpoint.json) skips what is done. It prints "restore
complete" at the very end, after the journal; without that line the restore has not finished.
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m shared.backup.restore",
        description=_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="list the complete backups")
    run = commands.add_parser("run", help="restore from a backup")
    run.add_argument("--backup", required=True, metavar="ID", help="backup id from `list`, e.g. 2026-06-15")
    which = run.add_mutually_exclusive_group()
    which.add_argument("--table", choices=[table.value for table in TableName], help="restore one table only")
    which.add_argument("--org", metavar="ORG_ID", help="restore one organisation's rows only (32 hex)")
    into = run.add_mutually_exclusive_group()
    into.add_argument("--into-account", metavar="NAME", help="restore into this storage account instead")
    into.add_argument("--into-connection-string", metavar="CS", help="the same, by connection string")
    run.add_argument(
        "--checkpoint", type=Path, help="checkpoint file (default ./restore-<backup>.checkpoint.json)"
    )
    return parser


def _clients(connection_string: str | None, account: str | None) -> StorageClients:
    if connection_string:
        return StorageClients.from_connection_string(connection_string)
    if account:
        return StorageClients.from_account(account)
    raise SettingsError("set AzureWebJobsStorage or AzureWebJobsStorage__accountName")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as error:
        print(f"restore: {error}", file=sys.stderr)
        return 2
    tokens = PageTokenSigner(base64.b64decode(settings.page_token_key))
    live = Services(
        settings=settings,
        storage=_clients(settings.storage_connection, settings.storage_account),
        page_signer=tokens,
    )
    source = live.storage.container_client(BACKUP_CONTAINER)
    if args.command == "list":
        for backup_id in complete_backups(source):
            manifest = get_manifest(source, backup_id)
            print(
                f"{backup_id}  {manifest.rows:>12,} rows  read {manifest.started_at:%Y-%m-%d %H:%M}"
                f"-{manifest.finished_at:%H:%M} UTC"
            )
        return 0
    scope = Scope(table=TableName(args.table) if args.table else None, org_id=args.org)
    target = live
    if args.into_account or args.into_connection_string:
        target = Services(
            settings=settings,
            storage=_clients(args.into_connection_string, args.into_account),
            page_signer=tokens,
        )
    checkpoint = CheckpointFile(
        args.checkpoint or Path(f"restore-{args.backup}.checkpoint.json"), args.backup, scope
    )
    print(
        f"restoring {scope.describe()} from backup {args.backup}; checkpoint {checkpoint.path}",
        file=sys.stderr,
    )
    state = restore(
        source,
        args.backup,
        target,
        list(DeletionJournal(live).entries()),
        scope=scope,
        checkpoint=checkpoint,
        on_progress=lambda report: print(report.line(), file=sys.stderr),
    )
    print(
        f"restore complete: {state.rows:,} rows from {len(state.parts_done)} parts; "
        f"{state.journal_replayed} journalled deletions re-applied"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
