"""Deletion requests as the API sees them: made through `shared.lifecycle`, readable by their organisation.

Receipts deliberately name no organisation, so the lifecycle keeps a note of which organisation asked
(`deletionrequests`: org_id / request_id, written before the job is enqueued, so offboarding deletes it
too); another organisation's request id answers 404. After the organisation or the member is gone, the
receipt is read by its id and secret instead (`shared/api/receipts.py`).
"""

from __future__ import annotations

from shared.api.views import Accepted
from shared.lifecycle import DeletionRequest, SubmittedRequest, deletion_request_state, organisation_made
from shared.services import Services
from shared.storage import TenantContext


def remember(services: Services, tenant: TenantContext, request: SubmittedRequest) -> Accepted:
    """The 202 body of a deletion request: its id, its state and (once) its receipt secret."""
    del services, tenant  # the lifecycle noted the request for the organisation already
    return Accepted(request_id=request.request_id, state=request.state, receipt_secret=request.receipt_secret)


def state_of(services: Services, tenant: TenantContext, request_id: str) -> DeletionRequest | None:
    """The request's state if this organisation made it; None otherwise (also for unknown ids)."""
    return (
        deletion_request_state(services, request_id)
        if organisation_made(services, tenant, request_id)
        else None
    )
