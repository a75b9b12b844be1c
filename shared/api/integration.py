"""The organisation's Microsoft 365 connection and on-demand refresh (ARCHITECTURE §5).

The client secret is write-only: it goes straight to the secret store under `secret_name_for(tenant)`
and is never returned, stored in a table or logged. A refresh may be asked for once per 15 minutes.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Annotated

from pydantic import BaseModel, Field, SecretStr

from shared.http.etags import etag_headers, require_if_match
from shared.http.problems import conflict, too_many_requests
from shared.http.request import ApiRequest, RequestModel
from shared.http.response import ApiResponse
from shared.integrations import IntegrationRepository, IntegrationStatus, M365Integration, secret_name_for
from shared.messages import RefreshTenant
from shared.runs import RunRecord, RunRepository, RunState, member_run_id
from shared.services import Services
from shared.storage import ConcurrencyError, QueueName, QueueSender

REFRESH_INTERVAL = timedelta(minutes=15)
Guid = Annotated[
    str, Field(pattern=r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
]


class IntegrationBody(RequestModel):
    tenant_id: Guid
    client_id: Guid
    client_secret: SecretStr = Field(min_length=1, max_length=1024)


class IntegrationView(BaseModel):
    """The connection's state; never the secret."""

    connected: bool
    status: IntegrationStatus
    tenant_id: str | None = None
    client_id: str | None = None
    consented_scopes: list[str] = Field(default_factory=list)
    connected_at: datetime | None = None
    last_refresh_requested_at: datetime | None = None
    last_refresh_at: datetime | None = None


class RefreshAccepted(BaseModel):
    run_id: str
    state: RunState


def _repository(request: ApiRequest, services: Services) -> IntegrationRepository:
    return IntegrationRepository(services.storage, request.tenant, services.tokens)


def _view(integration: M365Integration | None) -> IntegrationView:
    if integration is None:
        return IntegrationView(connected=False, status="disconnected")
    return IntegrationView(
        connected=integration.status == "connected",
        **integration.model_dump(exclude={"secret_name"}),
    )


def show(request: ApiRequest, services: Services) -> ApiResponse:
    integration = _repository(request, services).get()
    return ApiResponse(body=_view(integration), headers=etag_headers(integration.etag if integration else ""))


def connect(request: ApiRequest, body: IntegrationBody, services: Services) -> ApiResponse:
    repository = _repository(request, services)
    existing = repository.get()
    require_if_match(request, existing.etag if existing else "")
    name = secret_name_for(request.tenant)
    services.secrets.set(name, body.client_secret.get_secret_value())
    integration = M365Integration(
        tenant_id=body.tenant_id,
        client_id=body.client_id,
        secret_name=name,
        connected_at=services.clock(),
        etag=existing.etag if existing else "",
    )
    saved = repository.save(integration)
    request.audit.target = f"tenant_id={body.tenant_id}"
    return ApiResponse(body=_view(saved), headers=etag_headers(saved.etag))


def disconnect(request: ApiRequest, services: Services) -> ApiResponse:
    services.secrets.delete(secret_name_for(request.tenant))
    _repository(request, services).delete()
    return ApiResponse(status=204)


def refresh(request: ApiRequest, services: Services) -> ApiResponse:
    repository = _repository(request, services)
    integration = repository.get()
    if integration is None or integration.status != "connected":
        raise conflict("not-connected", "Connect the Microsoft 365 tenant first")
    now = services.clock()
    last = integration.last_refresh_requested_at
    if last is not None and now - last < REFRESH_INTERVAL:
        wait = math.ceil((last + REFRESH_INTERVAL - now).total_seconds())
        raise too_many_requests("refresh-rate-limited", "A refresh was asked for recently", wait)
    try:
        # The conditional write is the rate limiter: of two requests racing, one wins.
        repository.save(integration.model_copy(update={"last_refresh_requested_at": now}))
    except ConcurrencyError:
        raise too_many_requests("refresh-rate-limited", "A refresh was asked for just now", 60) from None
    run = RunRepository(services.storage, request.tenant, services.tokens).create_if_absent(
        RunRecord(
            run_id=member_run_id(now), as_of=now.date(), trigger="member", created_at=now, updated_at=now
        )
    )
    QueueSender(services.storage, QueueName.REFRESH_TENANT).send(
        RefreshTenant(org_id=request.tenant.org_id, run_id=run.run_id, as_of=run.as_of, trigger="member")
    )
    request.audit.target = f"run_id={run.run_id}"
    return ApiResponse(
        status=202,
        body=RefreshAccepted(run_id=run.run_id, state=run.state),
        headers={"Location": f"/api/v1/runs/{run.run_id}"},
    )
