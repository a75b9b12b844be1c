"""The deletion journal: every erasure and offboarding, so that a restore from a backup never brings back
what was erased after the backup was taken.

One row per deletion request in the shared `deletionjournal` table (partition `journal`, RowKey
`deletion|<request id>`): the subject, the organisation's id, for an erasure the member's pseudonym (the
`erased-…` that replaces their id in the audit log, never the id itself) and when the job first ran and
finished. Identifiers and times only: no personal data, nothing that names an erased member. The table is
left out of every backup and kept for the backups' retention period (plus a day), so every backup that
can still be restored is younger than the journal's oldest entry it needs.

`replay_journal` runs the recorded deletions again after a restore. Their steps are idempotent ("already
gone" is done), so re-applying a deletion the backup never saw the data of costs a few reads; a receipt
the restore rolled back to `pending` or `running` is set back to `done` with its original completion time.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import suppress
from datetime import datetime, timedelta

from pydantic import BaseModel

from shared.lifecycle.erasure import erasure_steps
from shared.lifecycle.keys import LifecycleKeys
from shared.lifecycle.offboarding import offboarding_steps
from shared.lifecycle.receipts import DeletionSubject, Receipt, ReceiptRepository
from shared.lifecycle.steps import Progress, Step
from shared.messages import Deletion
from shared.services import Services
from shared.storage import (
    AlreadyExistsError,
    NotFoundError,
    OrgTable,
    SharedTable,
    TableName,
    TenantContext,
    compose_key,
)

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
            services.storage, TableName.DELETION_JOURNAL, tokens=services.tokens
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
            self._partition.insert(_row_key(entry.request_id), {"document": entry.model_dump_json()})

    def complete(self, request_id: str, at: datetime) -> None:
        entry = self.find(request_id)
        if entry is not None and entry.completed_at is None:
            done = entry.model_copy(update={"completed_at": at})
            self._partition.upsert(_row_key(request_id), {"document": done.model_dump_json()})

    def find(self, request_id: str) -> JournalEntry | None:
        try:
            entity = self._partition.get(_row_key(request_id))
        except NotFoundError:
            return None
        return JournalEntry.model_validate_json(entity.properties["document"])

    def entries(self) -> Iterator[JournalEntry]:
        for entity in self._partition.query():
            yield JournalEntry.model_validate_json(entity.properties["document"])

    def prune(self, before: datetime) -> int:
        """Forget the entries recorded before `before` (older than every backup still kept)."""
        old = [_row_key(entry.request_id) for entry in self.entries() if entry.recorded_at < before]
        return self._partition.delete_many(old)


def _row_key(request_id: str) -> str:
    return compose_key("deletion", request_id)


def _steps(services: Services, entry: JournalEntry) -> list[Step]:
    tenant = TenantContext(entry.org_id)
    if entry.member_pseudonym is None:
        return offboarding_steps(services, tenant)
    # The journal keeps the pseudonym, not the id: find the restored member whose pseudonym it is. None
    # means the backup never held them (nothing of theirs to erase again).
    keys = LifecycleKeys.from_services(services)
    members = OrgTable(services.storage, tenant, TableName.MEMBERS, tokens=services.tokens)
    for row in members.query(select=["RowKey"]):
        if keys.member_pseudonym(tenant, row.row_key) == entry.member_pseudonym:
            return erasure_steps(services, tenant, row.row_key, entry.member_pseudonym)
    return []


def replay_journal(services: Services, entries: Iterable[JournalEntry]) -> int:
    """Run journalled deletions again in `services`' storage (after a restore); returns how many."""
    receipts = ReceiptRepository(services)
    replayed = 0
    for entry in sorted(entries, key=lambda entry: entry.recorded_at):
        scratch = Receipt(
            request_id=entry.request_id,
            state="running",
            subject=entry.subject,
            requested_at=entry.recorded_at,
        )
        progress = Progress(None, scratch, None)  # in memory: the real receipt is not this replay's
        for step in _steps(services, entry):
            step.run(progress)
        _settle_receipt(receipts, entry)
        replayed += 1
    log.info("deletion journal replayed", extra={"deletions": replayed})
    return replayed


def _settle_receipt(receipts: ReceiptRepository, entry: JournalEntry) -> None:
    receipt = receipts.find(entry.request_id)
    if receipt is None or entry.completed_at is None or receipt.state == "done":
        return
    receipts.save(
        receipt.model_copy(
            update={
                "state": "done",
                "completed_at": entry.completed_at,
                "error": None,
                "next_attempt_at": None,
            }
        )
    )


def retention_cutoff(now: datetime, retention: timedelta) -> datetime:
    """Entries older than this are older than every backup still kept (one day of slack)."""
    return now - retention - timedelta(days=1)
