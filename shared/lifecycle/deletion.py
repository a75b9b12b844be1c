"""The `deletion` job: offboard an organisation or erase a member, resumably, then close the receipt.

At-least-once delivery is the contract: a redelivered message for a finished request does nothing, and
one for an interrupted request resumes at the first step not yet done (see `steps.py`). A message whose
request id does not match its subject, or that has no receipt, is invalid and goes to poison.

A valid request whose attempt fails is never left to the host's retries (five quick ones, then the poison
queue, where the organisation's id would stay and nobody would look): `handle_deletion` records the
failure on the receipt (`failed`, which step and what kind of error, when the next attempt is), and
enqueues the same message again, delayed by a backoff that doubles from a minute up to an hour.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from shared.lifecycle.erasure import erasure_steps
from shared.lifecycle.journal import DeletionJournal
from shared.lifecycle.keys import LifecycleKeys
from shared.lifecycle.offboarding import offboarding_steps
from shared.lifecycle.receipts import Receipt, ReceiptRepository
from shared.lifecycle.steps import DeletionHook, Progress, Step
from shared.messages import Deletion, InvalidMessageError
from shared.services import Services
from shared.storage import ConcurrencyError, QueueName, QueueSender

log = logging.getLogger(__name__)
FIRST_RETRY = timedelta(minutes=1)
LAST_RETRY = timedelta(hours=1)
_RECORD_ATTEMPTS = 5


class StepFailedError(Exception):
    """A step of a deletion raised; `reason` says which and what kind of error, never a value."""

    def __init__(self, step: str, error: Exception) -> None:
        self.reason = f"step '{step}' failed: {type(error).__name__}"
        super().__init__(self.reason)


def _steps(services: Services, message: Deletion) -> list[Step]:
    keys = LifecycleKeys.from_services(services)
    tenant = message.tenant
    member_id = message.member_id
    if message.subject == "organisation" and member_id is None:
        if message.request_id == keys.offboarding_request_id(tenant):
            return offboarding_steps(services, tenant)
    elif member_id is not None and message.request_id == keys.erasure_request_id(tenant, member_id):
        return erasure_steps(services, tenant, member_id, keys.member_pseudonym(tenant, member_id))
    raise InvalidMessageError("the deletion request id does not match its subject")


def run_deletion(services: Services, message: Deletion, *, hook: DeletionHook | None = None) -> Receipt:
    """Carry out (or resume) one deletion request; returns its receipt, `done`.

    `InvalidMessageError` for a message that is not a request; `StepFailedError` when a step fails.
    """
    steps = _steps(services, message)
    receipts = ReceiptRepository(services)
    receipt = receipts.find(message.request_id)
    if receipt is None:
        raise InvalidMessageError("no deletion request has this id")
    if receipt.state == "done":
        return receipt
    journal = DeletionJournal(services)
    journal.record(message, services.clock())  # before any step: a restore must re-apply it
    started = receipt.started_at or services.clock()
    update = {
        "state": "running",
        "attempts": receipt.attempts + 1,
        "started_at": started,
        "next_attempt_at": None,
    }
    receipt = receipts.save(receipt.model_copy(update=update))
    progress = Progress(receipts, receipt, hook)
    for step in steps:
        if not progress.is_done(step.kind):
            try:
                step.run(progress)
            except Exception as error:
                raise StepFailedError(step.kind, error) from error
            progress.finish(step.kind)
    receipt = receipts.save(
        progress.receipt.model_copy(
            update={"state": "done", "completed_at": services.clock(), "error": None, "next_attempt_at": None}
        )
    )
    journal.complete(receipt.request_id, services.clock())
    log.info(
        "deletion request finished",
        extra={"request_id": receipt.request_id, "subject": receipt.subject, "removed": receipt.removed},
    )
    return receipt


def retry_delay(attempts: int) -> timedelta:
    """The wait before the next attempt after `attempts` attempts: 1, 2, 4 ... minutes, at most an hour."""
    doublings = min(max(attempts - 1, 0), 6)  # 2**6 minutes is past the last delay already
    return min(FIRST_RETRY * (1 << doublings), LAST_RETRY)


def _record_failure(services: Services, request_id: str, reason: str) -> Receipt | None:
    """Mark the receipt `failed` with the reason and the next attempt; None if it is done meanwhile."""
    receipts = ReceiptRepository(services)
    for _ in range(_RECORD_ATTEMPTS):
        receipt = receipts.find(request_id)
        if receipt is None or receipt.state == "done":
            return None
        next_attempt = services.clock() + retry_delay(receipt.attempts)
        failed = receipt.model_copy(
            update={"state": "failed", "error": reason, "next_attempt_at": next_attempt}
        )
        try:
            return receipts.save(failed)
        except ConcurrencyError:
            continue
    raise ConcurrencyError("could not record the deletion's failure: too much contention")


def handle_deletion(
    services: Services, message: Deletion, *, hook: DeletionHook | None = None
) -> Receipt | None:
    """The queue job: run the request; on failure record it on the receipt and enqueue a delayed retry.

    Returns the receipt when done, None when a retry was scheduled. Only an invalid message raises (the
    host then poisons it), or storage so broken that the failure cannot even be recorded.
    """
    try:
        return run_deletion(services, message, hook=hook)
    except InvalidMessageError:
        raise
    except Exception as error:
        reason = error.reason if isinstance(error, StepFailedError) else f"{type(error).__name__}"
        # The reason only: the error's own text may hold storage keys, i.e. the organisation's id.
        log.error("deletion attempt failed", extra={"request_id": message.request_id, "reason": reason})
        failed = _record_failure(services, message.request_id, reason)
        if failed is None or failed.next_attempt_at is None:
            return None
        delay = failed.next_attempt_at - services.clock()
        QueueSender(services.storage, QueueName.DELETION).send(
            message, visibility_timeout=int(delay.total_seconds())
        )
        return None
