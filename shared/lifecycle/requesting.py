"""Deletion requests, as the API makes them: act at once on access, then hand the rest to a job.

Requesting erasure disables the member and revokes their sessions before it returns. Requesting
offboarding marks the organisation `offboarding` (one conditional write: from then on the authenticator
refuses every request of the organisation, whatever the queue does) and revokes every session. Both then
note the request for the organisation, write a pending receipt, add a fresh receipt secret (returned
once, stored hashed) and enqueue a `Deletion` job. The request id is derived from what is deleted, so
asking twice is the same request: the receipt is reused and the job (idempotent) is simply enqueued
again until done.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import suppress
from typing import TypeVar

from shared.lifecycle.keys import LifecycleKeys
from shared.lifecycle.receipts import (
    DeletionRequest,
    DeletionSubject,
    Receipt,
    ReceiptAccess,
    ReceiptRepository,
    SubmittedRequest,
    new_receipt_secret,
)
from shared.messages import Deletion
from shared.organisations import OrganisationRepository
from shared.ownership import TableOwner
from shared.services import Services
from shared.storage import (
    AlreadyExistsError,
    ConcurrencyError,
    NotFoundError,
    OrgTable,
    QueueName,
    QueueSender,
    TableName,
    TenantContext,
)

REQUEST_ID = re.compile(r"[0-9a-f]{32}")
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


def _issue_secret(receipts: ReceiptRepository, request_id: str) -> str:
    """Add a new secret to the receipt's access row; the secret itself is returned, never stored."""
    secret = new_receipt_secret()

    def add() -> None:
        access = receipts.find_access(request_id) or ReceiptAccess()
        try:
            receipts.save_access(request_id, access.with_secret(secret))
        except AlreadyExistsError:  # created by a concurrent request: read it and try again
            raise ConcurrencyError("the receipt's access row was created concurrently") from None

    _retrying(add)
    return secret


def _submitted(receipts: ReceiptRepository, receipt: Receipt) -> SubmittedRequest:
    secret = _issue_secret(receipts, receipt.request_id)
    return SubmittedRequest(**receipt.public().model_dump(), receipt_secret=secret)


class DeletionNotes:
    """`deletionrequests`: org_id / request_id → subject. Which organisation asked for a deletion (the
    receipts name none), so that only it can follow the request by id."""

    def __init__(self, services: Services, tenant: TenantContext) -> None:
        self._table = OrgTable(
            services.storage, tenant, TableName.DELETION_REQUESTS, tokens=services.page_signer
        )

    def note(self, request_id: str, subject: DeletionSubject) -> None:
        with suppress(AlreadyExistsError):  # asked before: the same request
            self._table.insert(request_id, {"subject": subject})

    def has(self, request_id: str) -> bool:
        return self._table.find(request_id, select=["RowKey"]) is not None


DELETION_REQUESTS_OWNER = TableOwner.of_organisation_table(
    TableName.DELETION_REQUESTS,
    __name__,
    keeps="names no member and needs no expiry: one short row per request, gone with the organisation",
)


def organisation_made(services: Services, tenant: TenantContext, request_id: str) -> bool:
    """Whether this organisation made the deletion request `request_id`."""
    return DeletionNotes(services, tenant).has(request_id)


def _submit(
    services: Services,
    message: Deletion,
    subject: DeletionSubject,
    *,
    requested_by_subject: bool,
) -> SubmittedRequest:
    # The organisation's note comes before the job can run, so that offboarding deletes it with the rest.
    DeletionNotes(services, message.tenant).note(message.request_id, subject)
    receipts = ReceiptRepository(services)
    receipt = receipts.create_if_absent(
        Receipt(
            request_id=message.request_id,
            state="pending",
            subject=subject,
            requested_at=services.clock(),
            requested_by_subject=requested_by_subject,
        )
    )
    submitted = _submitted(receipts, receipt)
    if receipt.state != "done":
        QueueSender(services.storage, QueueName.DELETION).send(message)
    return submitted


def _previous(services: Services, request_id: str, missing: str) -> SubmittedRequest:
    """A request whose subject is gone already: its receipt (with a new secret), or `NotFoundError`."""
    receipts = ReceiptRepository(services)
    previous = receipts.find(request_id)
    if previous is None:
        raise NotFoundError(missing)
    return _submitted(receipts, previous)


def _revoke_sessions(services: Services, tenant: TenantContext, member_id: str | None) -> None:
    """Revoke the live sessions of one member, or of everyone in the organisation (`member_id` None)."""
    store = services.org(tenant).sessions
    if member_id is not None:
        store.revoke_member(member_id)
        return
    for session in store.iter_all():
        if not session.revoked:
            store.revoke(session.token_hash)


def request_member_erasure(
    services: Services,
    tenant: TenantContext,
    member_id: str,
    *,
    requested_by: str,
) -> SubmittedRequest:
    """Disable the member, revoke their sessions and enqueue their erasure. `NotFoundError` if unknown."""
    request_id = LifecycleKeys.from_services(services).erasure_request_id(tenant, member_id)
    members = services.org(tenant).members

    def disable() -> bool:
        member = members.find(member_id)
        if member is not None and member.status != "disabled":
            members.save(member.model_copy(update={"status": "disabled"}))
        return member is not None

    if not _retrying(disable):
        return _previous(services, request_id, "no such member")
    _revoke_sessions(services, tenant, member_id)
    message = Deletion(org_id=tenant.org_id, request_id=request_id, subject="member", member_id=member_id)
    return _submit(services, message, "member", requested_by_subject=requested_by == member_id)


def request_offboarding(services: Services, tenant: TenantContext, *, requested_by: str) -> SubmittedRequest:
    """Mark the organisation `offboarding`, end every session and enqueue its deletion.

    `NotFoundError` if unknown. `requested_by` is not stored (a receipt holds no personal data); the
    API's audit row records it.
    """
    del requested_by
    request_id = LifecycleKeys.from_services(services).offboarding_request_id(tenant)
    organisations = OrganisationRepository(services.storage, services.page_signer)

    def mark() -> bool:
        organisation = organisations.find(tenant)
        if organisation is not None and organisation.status != "offboarding":
            organisations.save(organisation.model_copy(update={"status": "offboarding"}))
        return organisation is not None

    if not _retrying(mark):
        return _previous(services, request_id, "no such organisation")
    _revoke_sessions(services, tenant, None)
    message = Deletion(org_id=tenant.org_id, request_id=request_id, subject="organisation")
    return _submit(services, message, "organisation", requested_by_subject=False)


def deletion_request_state(services: Services, request_id: str) -> DeletionRequest | None:
    """The state of a deletion request (pending, running, failed, done), or None for an unknown id."""
    if not isinstance(request_id, str) or REQUEST_ID.fullmatch(request_id) is None:
        return None
    receipt = ReceiptRepository(services).find(request_id)
    return None if receipt is None else receipt.public()
