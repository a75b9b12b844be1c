"""What a table backup is made of, and where each piece lives in the backup container.

    table-backups/<backup_id>/<table>/<part:05d>-<attempt>.jsonl.gz   rows, in (PartitionKey, RowKey) order
    table-backups/<backup_id>/<table>/<part:05d>.part.json            the part's record, written after it
    table-backups/<backup_id>/manifest.json                           written last: the backup is complete

Every blob is written once and never replaced (the container is immutable, WORM): a part interrupted
before its record is written again under a new attempt name, and the record points at the copy that
counts. A backup without a manifest is not a backup; restore refuses it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Literal

from azure.core import MatchConditions
from azure.storage.blob import ContainerClient, ContentSettings
from pydantic import BaseModel

from shared.storage import NotFoundError, TableName
from shared.storage.errors import translate_errors

BACKUP_CONTAINER = "table-backups"
# How long the container keeps every backup immutable, and how long the deletion journal is kept.
BACKUP_RETENTION = timedelta(days=35)
MANIFEST = "manifest.json"
PART_RECORD_SUFFIX = ".part.json"
BACKUP_ID = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{6}Z)?")
# Every table but the deletion journal, which must survive a restore (see shared.lifecycle.journal).
BACKED_UP_TABLES = tuple(table for table in TableName if table is not TableName.DELETION_JOURNAL)
Key = tuple[str, str]  # (PartitionKey, RowKey)


class BackupIncompleteError(RuntimeError):
    """The chosen backup has no manifest (it is still running, or was interrupted)."""


class BackupCorruptError(RuntimeError):
    """A part of the backup does not match its record (size, checksum or row count)."""


class PartRecord(BaseModel):
    table: str
    index: int
    blob: str
    rows: int
    bytes: int
    sha256: str
    first: Key | None
    last: Key | None
    started_at: datetime
    finished_at: datetime
    final: bool  # the table's last part

    def may_hold(self, low: str, high: str) -> bool:
        """Whether a row with a PartitionKey in [low, high) can be in this part."""
        if self.first is None or self.last is None:
            return False
        return self.first[0] < high and self.last[0] >= low


class TableRecord(BaseModel):
    rows: int
    parts: list[PartRecord]


class Manifest(BaseModel):
    format: Literal[1] = 1
    backup_id: str
    started_at: datetime  # the time window the rows were read in
    finished_at: datetime
    rows: int
    tables: dict[str, TableRecord]


def part_prefix(backup_id: str, table: str) -> str:
    return f"{backup_id}/{table}/"


def part_blob_name(backup_id: str, table: str, index: int, attempt: str) -> str:
    return f"{part_prefix(backup_id, table)}{index:05d}-{attempt}.jsonl.gz"


def part_record_name(backup_id: str, table: str, index: int) -> str:
    return f"{part_prefix(backup_id, table)}{index:05d}{PART_RECORD_SUFFIX}"


def manifest_name(backup_id: str) -> str:
    return f"{backup_id}/{MANIFEST}"


def write_once(container: ContainerClient, name: str, document: BaseModel) -> None:
    """Create a small JSON blob; `AlreadyExistsError` if it exists (nothing in a backup is replaced)."""
    with translate_errors("write a backup record"):
        container.upload_blob(
            name,
            document.model_dump_json().encode(),
            match_condition=MatchConditions.IfMissing,  # If-None-Match: *
            content_settings=ContentSettings(content_type="application/json"),
        )


def read_json(container: ContainerClient, name: str) -> object:
    with translate_errors("read a backup record"):
        return json.loads(container.download_blob(name).readall())


def find_manifest(container: ContainerClient, backup_id: str) -> Manifest | None:
    try:
        return Manifest.model_validate(read_json(container, manifest_name(backup_id)))
    except NotFoundError:
        return None


def get_manifest(container: ContainerClient, backup_id: str) -> Manifest:
    manifest = find_manifest(container, backup_id)
    if manifest is None:
        raise BackupIncompleteError(f"backup {backup_id} has no manifest: it is incomplete, not a backup")
    return manifest


def part_records(container: ContainerClient, backup_id: str) -> Iterator[PartRecord]:
    """The records of the parts written so far, in name order (table, then part)."""
    with translate_errors("list a backup"):
        names = [
            blob.name
            for blob in container.list_blobs(name_starts_with=f"{backup_id}/")
            if blob.name.endswith(PART_RECORD_SUFFIX)
        ]
    for name in names:
        yield PartRecord.model_validate(read_json(container, name))


def complete_backups(container: ContainerClient) -> list[str]:
    """The ids of complete backups, oldest first."""
    with translate_errors("list backups"):
        return sorted(
            blob.name.removesuffix(f"/{MANIFEST}")
            for blob in container.list_blobs()
            if blob.name.endswith(f"/{MANIFEST}") and BACKUP_ID.fullmatch(blob.name.split("/")[0])
        )
