"""The `deletion` job: offboard an organisation or erase a member, resumably, then close the receipt.

At-least-once delivery is the contract: a redelivered message for a finished request does nothing, and
one for an interrupted request resumes at the first step not yet done (see `steps.py`). A message whose
request id does not match its subject, or that has no receipt, is invalid and goes to poison.
"""

from __future__ import annotations

import logging

from shared.lifecycle.erasure import erasure_steps
from shared.lifecycle.keys import LifecycleKeys
from shared.lifecycle.offboarding import offboarding_steps
from shared.lifecycle.receipts import Receipt, ReceiptRepository
from shared.lifecycle.steps import DeletionHook, Progress, Step
from shared.messages import Deletion, InvalidMessageError
from shared.services import Services

log = logging.getLogger(__name__)


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
    """Carry out (or resume) one deletion request; returns its receipt, `done`."""
    steps = _steps(services, message)
    receipts = ReceiptRepository(services)
    receipt = receipts.find(message.request_id)
    if receipt is None:
        raise InvalidMessageError("no deletion request has this id")
    if receipt.state == "done":
        return receipt
    started = receipt.started_at or services.clock()
    update = {"state": "running", "attempts": receipt.attempts + 1, "started_at": started}
    receipt = receipts.save(receipt.model_copy(update=update))
    progress = Progress(receipts, receipt, hook)
    for step in steps:
        if not progress.is_done(step.kind):
            step.run(progress)
            progress.finish(step.kind)
    receipt = receipts.save(
        progress.receipt.model_copy(update={"state": "done", "completed_at": services.clock()})
    )
    log.info(
        "deletion request finished",
        extra={"request_id": receipt.request_id, "subject": receipt.subject, "removed": receipt.removed},
    )
    return receipt
