"""Re-applying journalled deletions after a restore, so that a backup never brings back what was erased.

The steps are idempotent ("already gone" is done), so re-applying a deletion the backup never saw the
data of costs a few reads; a receipt the restore rolled back to `pending` or `running` is set back to
`done` with its original completion time.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from shared.lifecycle.erasure import erasure_steps
from shared.lifecycle.journal import JournalEntry
from shared.lifecycle.keys import LifecycleKeys
from shared.lifecycle.offboarding import offboarding_steps
from shared.lifecycle.receipts import Receipt, ReceiptRepository
from shared.lifecycle.steps import Progress, Step
from shared.services import Services
from shared.storage import TenantContext

log = logging.getLogger(__name__)


def _steps(services: Services, entry: JournalEntry) -> list[Step]:
    tenant = TenantContext(entry.org_id)
    if entry.member_pseudonym is None:
        return offboarding_steps(services, tenant)
    # The journal keeps the pseudonym, not the id: find the restored member whose pseudonym it is. None
    # means the backup never held them (nothing of theirs to erase again).
    keys = LifecycleKeys.from_services(services)
    for member in services.org(tenant).members.iter_all():
        if keys.member_pseudonym(tenant, member.member_id) == entry.member_pseudonym:
            return erasure_steps(services, tenant, member.member_id, entry.member_pseudonym)
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
