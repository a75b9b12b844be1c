"""Deletion requests as the API sees them: made through `shared.lifecycle`, readable by their organisation.

Receipts deliberately name no organisation, so the API keeps its own note of which organisation asked
(`deletionrequests`: org_id / request_id); another organisation's request id answers 404.
"""

from __future__ import annotations

from contextlib import suppress

from shared.api.views import Accepted
from shared.lifecycle import DeletionRequest, deletion_request_state
from shared.services import Services
from shared.storage import AlreadyExistsError, NotFoundError, OrgTable, TableName, TenantContext


def _table(services: Services, tenant: TenantContext) -> OrgTable:
    return OrgTable(services.storage, tenant, TableName.DELETION_REQUESTS, tokens=services.tokens)


def remember(services: Services, tenant: TenantContext, request: DeletionRequest) -> Accepted:
    with suppress(AlreadyExistsError):  # asked before: the same request
        _table(services, tenant).insert(request.request_id, {"subject": request.subject})
    return Accepted(request_id=request.request_id, state=request.state)


def state_of(services: Services, tenant: TenantContext, request_id: str) -> DeletionRequest | None:
    """The request's state if this organisation made it; None otherwise (also for unknown ids)."""
    try:
        _table(services, tenant).get(request_id)
    except NotFoundError:
        return None
    return deletion_request_state(services, request_id)
