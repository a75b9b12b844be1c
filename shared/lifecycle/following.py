"""Following a deletion request by its receipt id and secret, after the organisation or member is gone.

Nothing tells an unknown id, a missing or wrong secret and a malformed id apart: each is `None`. Wrong
secrets for a real receipt are counted (the TOTP rule: five lock it for 15 minutes, and failures while
locked do not extend the lock), so a leaked id cannot be brute-forced even in principle.
"""

from __future__ import annotations

from contextlib import suppress
from datetime import datetime

from shared.lifecycle.receipts import DeletionRequest, ReceiptAccess, ReceiptRepository
from shared.lifecycle.requesting import REQUEST_ID
from shared.services import Services
from shared.storage import ConcurrencyError

MAX_SECRET_CHARS = 128
_WRITE_ATTEMPTS = 3


class ReceiptLockedError(Exception):
    """Too many wrong secrets for this receipt; try again after `until`."""

    def __init__(self, until: datetime) -> None:
        super().__init__("the receipt is locked after too many wrong secrets")
        self.until = until


def _count_failure(
    receipts: ReceiptRepository, request_id: str, access: ReceiptAccess, now: datetime
) -> None:
    for _ in range(_WRITE_ATTEMPTS):
        try:
            receipts.save_access(
                request_id, access.with_attempts(access.attempts_state.register_failure(now))
            )
            return
        except ConcurrencyError:
            current = receipts.find_access(request_id)
            if current is None:
                return
            access = current


def open_receipt(services: Services, request_id: str, secret: str | None) -> DeletionRequest | None:
    """The receipt's public state if `secret` opens it; None otherwise. `ReceiptLockedError` when locked."""
    if REQUEST_ID.fullmatch(request_id) is None or not secret or len(secret) > MAX_SECRET_CHARS:
        return None
    receipts = ReceiptRepository(services)
    access = receipts.find_access(request_id)
    if access is None:
        return None
    now = services.clock()
    attempts = access.attempts_state
    if attempts.is_locked(now) and attempts.locked_until is not None:
        raise ReceiptLockedError(attempts.locked_until)
    if not access.opens_with(secret):
        _count_failure(receipts, request_id, access, now)
        return None
    if access.failures:
        with suppress(ConcurrencyError):  # a concurrent failure was counted: keep that one
            receipts.save_access(request_id, access.with_attempts(attempts.register_success()))
    receipt = receipts.find(request_id)
    return None if receipt is None else receipt.public()
