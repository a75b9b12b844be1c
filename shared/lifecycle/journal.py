"""The deletion journal: every erasure and offboarding, so that a restore from a backup never brings back
what was erased after the backup was taken.

One row per deletion request in the shared `deletionjournal` table (partition `journal`, RowKey
`deletion|<request id>`): the subject, the organisation's id, for an erasure the member's pseudonym (the
`erased-…` that replaces their id in the audit log, never the id itself) and when the job first ran and
finished. Identifiers and times only: no personal data, nothing that names an erased member. The table is
left out of every backup and kept for the backups' retention period (plus a day), so every backup that
can still be restored is younger than the journal's oldest entry it needs.

`shared.lifecycle.replay` runs the recorded deletions again after a restore.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import suppress
from datetime import datetime, timedelta

from pydantic import BaseModel

from shared.lifecycle.keys import LifecycleKeys
from shared.lifecycle.receipts import DeletionSubject
from shared.messages import Deletion
from shared.ownership import TableOwner
from shared.services import Services
from shared.storage import (
    AlreadyExistsError,
    SharedTable,
    TableName,
    compose_key,
)
from shared.storage.documents import document_of, read_document

JOURNAL_PARTITION = "journal"
log = logging.getLogger(__name__)


class JournalEntry(BaseModel):
    request_id: str
    subject: DeletionSubject
    org_id: str
    member_pseudonym: str | None = None
    recorded_at: datetime
    completed_at: datetime | None = None


class DeletionJournal:
    def __init__(self, services: Services) -> None:
        self._keys = LifecycleKeys.from_services(services)
        self._partition = SharedTable(
            services.storage, TableName.DELETION_JOURNAL, tokens=services.page_signer
        ).partition(JOURNAL_PARTITION)

    def record(self, message: Deletion, at: datetime) -> None:
        """Note a deletion when its job first runs (a redelivery keeps the first time)."""
        member = message.member_id
        entry = JournalEntry(
            request_id=message.request_id,
            subject=message.subject,
            org_id=message.tenant.org_id,
            member_pseudonym=self._keys.member_pseudonym(message.tenant, member) if member else None,
            recorded_at=at,
        )
        with suppress(AlreadyExistsError):
            self._partition.insert(_row_key(entry.request_id), document_of(entry))

    def complete(self, request_id: str, at: datetime) -> None:
        entry = self.find(request_id)
        if entry is not None and entry.completed_at is None:
            done = entry.model_copy(update={"completed_at": at})
            self._partition.upsert(_row_key(request_id), document_of(done))

    def find(self, request_id: str) -> JournalEntry | None:
        entity = self._partition.find(_row_key(request_id))
        return None if entity is None else read_document(JournalEntry, entity.properties)

    def entries(self) -> Iterator[JournalEntry]:
        for entity in self._partition.query():
            yield read_document(JournalEntry, entity.properties)

    def prune(self, before: datetime) -> int:
        """Forget the entries recorded before `before` (older than every backup still kept)."""
        old = [_row_key(entry.request_id) for entry in self.entries() if entry.recorded_at < before]
        return self._partition.delete_many(old)


def _row_key(request_id: str) -> str:
    return compose_key("deletion", request_id)


def retention_cutoff(now: datetime, retention: timedelta) -> datetime:
    """Entries older than this are older than every backup still kept (one day of slack)."""
    return now - retention - timedelta(days=1)


DELETION_JOURNAL_OWNER = TableOwner(
    table=TableName.DELETION_JOURNAL,
    module=__name__,
    organisation_rows=None,
    keeps="identifiers and times only, kept so that a restore re-applies the deletion; pruned when "
    "older than every backup",
)
