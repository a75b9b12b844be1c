"""Deletion receipts (shared `receipts` table): the state and outcome of one deletion request.

A receipt says what kind of thing was removed and how many, and when; never whose (no organisation id,
member id, name or address), so it can outlive the organisation. Row: `deletion` / request_id.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from shared.services import Services
from shared.storage import AlreadyExistsError, NotFoundError, SharedTable, TableName

RECEIPTS_PARTITION = "deletion"
DeletionState = Literal["pending", "running", "done"]
DeletionSubject = Literal["organisation", "member"]


class DeletionRequest(BaseModel):
    """What the requester may read about a deletion request."""

    request_id: str
    state: DeletionState
    subject: DeletionSubject
    requested_at: datetime
    completed_at: datetime | None = None
    removed: dict[str, int] = Field(default_factory=dict)


class Receipt(DeletionRequest):
    requested_by_subject: bool = False  # the member asked for their own erasure
    started_at: datetime | None = None
    attempts: int = 0
    steps_done: list[str] = Field(default_factory=list)
    etag: str = Field(default="", exclude=True)

    def public(self) -> DeletionRequest:
        return DeletionRequest.model_validate(self.model_dump(include=set(DeletionRequest.model_fields)))


class ReceiptRepository:
    def __init__(self, services: Services) -> None:
        self._partition = SharedTable(services.storage, TableName.RECEIPTS, tokens=services.tokens).partition(
            RECEIPTS_PARTITION
        )

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
        try:
            entity = self._partition.get(request_id)
        except NotFoundError:
            return None
        return Receipt.model_validate_json(entity.properties["document"]).model_copy(
            update={"etag": entity.etag}
        )

    def save(self, receipt: Receipt) -> Receipt:
        """Write with the receipt's ETag; `ConcurrencyError` if another delivery wrote it since."""
        etag = self._partition.update(receipt.request_id, self._properties(receipt), etag=receipt.etag)
        return receipt.model_copy(update={"etag": etag})

    @staticmethod
    def _properties(receipt: Receipt) -> dict[str, object]:
        return {"state": receipt.state, "subject": receipt.subject, "document": receipt.model_dump_json()}
