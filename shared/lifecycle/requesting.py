"""Deletion requests, as the API makes them: act at once on access, then hand the rest to a job.

Requesting erasure disables the member and revokes their sessions before it returns; requesting
offboarding marks the organisation `offboarding` (the daily refresh skips it). Both then write a pending
receipt and enqueue a `Deletion` job. The request id is derived from what is deleted, so asking twice is
the same request: the receipt is reused and the job (idempotent) is simply enqueued again until done.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

from shared.auth.sessions import SessionStore
from shared.lifecycle.keys import LifecycleKeys
from shared.lifecycle.receipts import DeletionRequest, DeletionSubject, Receipt, ReceiptRepository
from shared.members import MemberRepository
from shared.messages import Deletion
from shared.organisations import OrganisationRepository
from shared.services import Services
from shared.storage import (
    ConcurrencyError,
    NotFoundError,
    OrgTable,
    QueueName,
    QueueSender,
    TableName,
    TenantContext,
)

_REQUEST_ID = re.compile(r"[0-9a-f]{32}")
_WRITE_ATTEMPTS = 5
T = TypeVar("T")


def _retrying(write: Callable[[], T]) -> T:
    """Re-run a read-modify-write that lost an ETag race (a concurrent edit of the same row)."""
    for _ in range(_WRITE_ATTEMPTS - 1):
        try:
            return write()
        except ConcurrencyError:
            continue
    return write()


def _submit(
    services: Services,
    message: Deletion,
    subject: DeletionSubject,
    *,
    requested_by_subject: bool,
) -> DeletionRequest:
    receipt = ReceiptRepository(services).create_if_absent(
        Receipt(
            request_id=message.request_id,
            state="pending",
            subject=subject,
            requested_at=services.clock(),
            requested_by_subject=requested_by_subject,
        )
    )
    if receipt.state != "done":
        QueueSender(services.storage, QueueName.DELETION).send(message)
    return receipt.public()


def _revoke_sessions(services: Services, tenant: TenantContext, member_id: str) -> None:
    sessions = OrgTable(services.storage, tenant, TableName.SESSIONS, tokens=services.tokens)
    store = SessionStore(services.storage, tenant, services.tokens)
    for row in sessions.query(select=["RowKey", "member_id", "revoked"]):
        if row.properties.get("member_id") == member_id and not row.properties.get("revoked"):
            store.revoke(row.row_key)


def request_member_erasure(
    services: Services,
    tenant: TenantContext,
    member_id: str,
    *,
    requested_by: str,
) -> DeletionRequest:
    """Disable the member, revoke their sessions and enqueue their erasure. `NotFoundError` if unknown."""
    request_id = LifecycleKeys.from_services(services).erasure_request_id(tenant, member_id)
    members = MemberRepository(services.storage, tenant, services.tokens)

    def disable() -> bool:
        member = members.find(member_id)
        if member is not None and member.status != "disabled":
            members.save(member.model_copy(update={"status": "disabled"}))
        return member is not None

    if not _retrying(disable):
        previous = ReceiptRepository(services).find(request_id)
        if previous is None:
            raise NotFoundError("no such member")
        return previous.public()
    _revoke_sessions(services, tenant, member_id)
    message = Deletion(org_id=tenant.org_id, request_id=request_id, subject="member", member_id=member_id)
    return _submit(services, message, "member", requested_by_subject=requested_by == member_id)


def request_offboarding(services: Services, tenant: TenantContext, *, requested_by: str) -> DeletionRequest:
    """Mark the organisation `offboarding` and enqueue its deletion. `NotFoundError` if unknown.

    `requested_by` is not stored (a receipt holds no personal data); the API's audit row records it.
    """
    del requested_by
    request_id = LifecycleKeys.from_services(services).offboarding_request_id(tenant)
    organisations = OrganisationRepository(services.storage, services.tokens)

    def mark() -> bool:
        organisation = organisations.find(tenant)
        if organisation is not None and organisation.status != "offboarding":
            organisations.save(organisation.model_copy(update={"status": "offboarding"}))
        return organisation is not None

    if not _retrying(mark):
        previous = ReceiptRepository(services).find(request_id)
        if previous is None:
            raise NotFoundError("no such organisation")
        return previous.public()
    message = Deletion(org_id=tenant.org_id, request_id=request_id, subject="organisation")
    return _submit(services, message, "organisation", requested_by_subject=False)


def deletion_request_state(services: Services, request_id: str) -> DeletionRequest | None:
    """The state of a deletion request (pending, running, done), or None for an unknown id."""
    if not isinstance(request_id, str) or _REQUEST_ID.fullmatch(request_id) is None:
        return None
    receipt = ReceiptRepository(services).find(request_id)
    return None if receipt is None else receipt.public()
