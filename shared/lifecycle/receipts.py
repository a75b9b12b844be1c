"""Deletion receipts (shared `receipts` table): the state and outcome of one deletion request.

A receipt says what kind of thing was removed and how many, and when; never whose (no organisation id,
member id, name or address), so it can outlive the organisation. Row: `deletion` / request_id.

Whoever makes a request is shown a receipt secret once; only its SHA-256 is kept (the secret is 256
random bits, so a fast hash is enough), and anyone holding id + secret can read the receipt after the
organisation or the member is gone. Asking again adds a secret (the last `MAX_SECRETS` are kept), so
each requester can follow the request. Wrong secrets count like wrong TOTP codes: five lock the receipt
for 15 minutes. The hashes and the counter live in a row of their own (`<request_id>|access`), so
readers and re-requests never race the job's writes to the receipt.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from shared.identity.mfa_attempts import MfaAttempts
from shared.ownership import TableOwner
from shared.services import Services
from shared.storage import (
    AlreadyExistsError,
    SharedTable,
    TableName,
    compose_key,
)
from shared.storage.documents import document_of, read_document

RECEIPTS_PARTITION = "deletion"
_ACCESS = "access"
MAX_SECRETS = 10
DeletionState = Literal["pending", "running", "failed", "done"]
DeletionSubject = Literal["organisation", "member"]


def _access_key(request_id: str) -> str:
    return compose_key(request_id, _ACCESS)


def new_receipt_secret() -> str:
    return secrets.token_urlsafe(32)


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class DeletionRequest(BaseModel):
    """What the requester may read about a deletion request."""

    request_id: str
    state: DeletionState = Field(
        description="`failed`: the last attempt failed (see `error`); it is retried at `next_attempt_at`"
    )
    subject: DeletionSubject
    requested_at: datetime
    completed_at: datetime | None = None
    removed: dict[str, int] = Field(default_factory=dict)
    error: str | None = Field(default=None, description="Why the last attempt failed, in words")
    next_attempt_at: datetime | None = None


class SubmittedRequest(DeletionRequest):
    """A request as its requester sees it once: with the secret that reads its receipt later."""

    receipt_secret: str


class Receipt(DeletionRequest):
    requested_by_subject: bool = False  # the member asked for their own erasure
    started_at: datetime | None = None
    attempts: int = 0
    steps_done: list[str] = Field(default_factory=list)
    etag: str = Field(default="", exclude=True)

    def public(self) -> DeletionRequest:
        return DeletionRequest.model_validate(self.model_dump(include=set(DeletionRequest.model_fields)))


class ReceiptAccess(BaseModel):
    """Who may read a receipt: hashes of its secrets, and the wrong-secret counter."""

    secret_hashes: list[str] = Field(default_factory=list)
    failures: int = 0  # wrong secrets since the last lock
    locked_until: datetime | None = None
    etag: str = Field(default="", exclude=True)

    def with_secret(self, secret: str) -> ReceiptAccess:
        hashes = [*self.secret_hashes, secret_hash(secret)][-MAX_SECRETS:]
        return self.model_copy(update={"secret_hashes": hashes})

    def opens_with(self, secret: str) -> bool:
        """Whether `secret` is one of the receipt's secrets (constant time in the secret's value)."""
        offered = secret_hash(secret)
        return any([hmac.compare_digest(offered, stored) for stored in self.secret_hashes])

    @property
    def attempts_state(self) -> MfaAttempts:
        return MfaAttempts(failures=self.failures, locked_until=self.locked_until)

    def with_attempts(self, attempts: MfaAttempts) -> ReceiptAccess:
        return self.model_copy(update={"failures": attempts.failures, "locked_until": attempts.locked_until})


class ReceiptRepository:
    def __init__(self, services: Services) -> None:
        self._partition = SharedTable(
            services.storage, TableName.RECEIPTS, tokens=services.page_signer
        ).partition(RECEIPTS_PARTITION)

    def create_if_absent(self, receipt: Receipt) -> Receipt:
        """Write a new receipt, or return the one already there for this request id."""
        try:
            etag = self._partition.insert(receipt.request_id, self._properties(receipt))
        except AlreadyExistsError:
            existing = self.find(receipt.request_id)
            if existing is None:  # deleted in between: nothing to keep, write ours
                return self.create_if_absent(receipt)
            return existing
        return receipt.model_copy(update={"etag": etag})

    def find(self, request_id: str) -> Receipt | None:
        entity = self._partition.find(request_id)
        return None if entity is None else read_document(Receipt, entity.properties, etag=entity.etag)

    def find_access(self, request_id: str) -> ReceiptAccess | None:
        entity = self._partition.find(_access_key(request_id))
        return None if entity is None else read_document(ReceiptAccess, entity.properties, etag=entity.etag)

    def save_access(self, request_id: str, access: ReceiptAccess) -> ReceiptAccess:
        """Create (no ETag) or replace (with its ETag) the access row; `ConcurrencyError`/`AlreadyExistsError`
        when another writer got there first."""
        properties = document_of(access)
        if access.etag:
            etag = self._partition.update(_access_key(request_id), properties, etag=access.etag)
        else:
            etag = self._partition.insert(_access_key(request_id), properties)
        return access.model_copy(update={"etag": etag})

    def save(self, receipt: Receipt) -> Receipt:
        """Write with the receipt's ETag; `ConcurrencyError` if another delivery wrote it since."""
        etag = self._partition.update(receipt.request_id, self._properties(receipt), etag=receipt.etag)
        return receipt.model_copy(update={"etag": etag})

    @staticmethod
    def _properties(receipt: Receipt) -> dict[str, object]:
        return {"state": receipt.state, "subject": receipt.subject, **document_of(receipt)}


RECEIPTS_OWNER = TableOwner(
    table=TableName.RECEIPTS,
    module=__name__,
    organisation_rows=None,
    keeps="a receipt outlives what it reports and names neither the organisation nor the member",
)
