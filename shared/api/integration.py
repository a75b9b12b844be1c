"""The organisation's Microsoft 365 connection: connect (tested first), test, disconnect, refresh now.

The client secret is write-only: it goes straight to the secret store under `secret_name_for(tenant)`
and is never returned, stored in a table or logged.

Connecting tests the connection first. Credentials Entra ID refuses are answered 422 with the field that
is wrong, and nothing is stored (a wrong secret is of no use, and the customer sees the mistake while the
form is still open). Accepted credentials are stored; a missing required permission makes the status
`error` with the permissions to grant, so the customer can grant them and test again without retyping.

Refresh now (`refresh`): while a run is in progress it answers that run; a collection may start once per
15 minutes, counted from the last one that did not fail (a failed run holds nobody back); within those 15
minutes, if prices, groups or the threshold changed since the published run was computed, that run is
recomputed from its snapshot with the new settings; otherwise 429.
"""

from __future__ import annotations

import asyncio
import math
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Annotated, Literal

import httpx
from azure.core.exceptions import AzureError
from pydantic import BaseModel, Field, SecretStr

from shared.graph import CredentialError, tenant_credential
from shared.graph.credentials import CredentialField
from shared.graph.permissions import ConnectionReport, check_connection
from shared.http.etags import etag_headers, require_if_match
from shared.http.problems import ApiError, conflict, service_unavailable, too_many_requests
from shared.http.request import ApiRequest, RequestModel
from shared.http.response import ApiResponse
from shared.insights.job import organisation_settings
from shared.integrations import (
    IntegrationRepository,
    IntegrationStatus,
    M365Integration,
    PermissionCheck,
    secret_name_for,
)
from shared.messages import ComputeInsights, RefreshTenant
from shared.runs import (
    IN_PROGRESS,
    RunRecord,
    RunRepository,
    RunState,
    daily_run_id,
    member_run_id,
    new_run,
    recompute_run_id,
)
from shared.secrets import SecretNotFoundError
from shared.services import Services
from shared.storage import ConcurrencyError, QueueName, QueueSender

REFRESH_INTERVAL = timedelta(minutes=15)
Guid = Annotated[
    str, Field(pattern=r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
]
RefreshAction = Literal["collect", "recompute", "in_progress"]


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
    last_error: str | None = Field(default=None, description="why the status is `error`, in plain words")
    last_error_at: datetime | None = None
    permissions: list[PermissionCheck] = Field(
        default_factory=list, description="each Graph permission as the latest connection test found it"
    )
    tested_at: datetime | None = None


class ConnectionTestView(BaseModel):
    """The answer of a connection test: can a refresh succeed, and which permissions are missing."""

    ok: bool = Field(description="credentials accepted and every required permission granted")
    tested_at: datetime
    error: str | None = Field(default=None, description="what stops a refresh, in plain words")
    field: CredentialField | None = Field(default=None, description="the value Entra ID refused")
    missing_permissions: list[str] = Field(default_factory=list)
    permissions: list[PermissionCheck] = Field(default_factory=list)


class RefreshAccepted(BaseModel):
    run_id: str
    state: RunState
    action: RefreshAction = Field(
        description="collect: a new collection; recompute: the published run again with new settings; "
        "in_progress: the run already under way"
    )


def _repository(request: ApiRequest, services: Services) -> IntegrationRepository:
    return services.org(request.tenant).integration


def _view(integration: M365Integration | None) -> IntegrationView:
    if integration is None:
        return IntegrationView(connected=False, status="disconnected")
    return IntegrationView(
        connected=integration.status == "connected",
        **integration.model_dump(exclude={"secret_name", "last_refresh_run_id", "last_recompute_run_id"}),
    )


def _test(services: Services, tenant_id: str, client_id: str, secret: str) -> ConnectionReport:
    """Run the connection test; 503 when Entra ID or Graph cannot be reached to run it at all."""
    settings = services.settings
    credential = tenant_credential(settings.graph_authority, tenant_id, client_id, secret)
    try:
        return asyncio.run(check_connection(settings.graph_base_url, credential))
    except (httpx.HTTPError, AzureError):
        raise service_unavailable(
            "connection-test-unavailable", "Microsoft Entra ID could not be reached to test the connection"
        ) from None


def _tested(integration: M365Integration, report: ConnectionReport, now: datetime) -> M365Integration:
    """The integration as the test found it: status from what stops a refresh, and each permission."""
    checked = integration.model_copy(
        update={"permissions": [PermissionCheck(**asdict(p)) for p in report.permissions], "tested_at": now}
    )
    problem = report.problem
    return checked.failing(problem, now) if problem else checked.healthy()


def _test_view(report: ConnectionReport, now: datetime) -> ConnectionTestView:
    return ConnectionTestView(
        ok=report.problem is None,
        tested_at=now,
        error=report.problem,
        field=report.refused.field if report.refused else None,
        missing_permissions=report.missing,
        permissions=[PermissionCheck(**asdict(p)) for p in report.permissions],
    )


def _refused(error: CredentialError) -> ApiError:
    location = ["body"] if error.field == "credentials" else ["body", error.field]
    return ApiError(
        422,
        "credentials-refused",
        "Microsoft Entra ID refused these credentials",
        f"{error.field}: {error.reason}",
        extensions={
            "field": error.field,
            "errors": [{"loc": location, "msg": error.reason, "type": "credentials_refused"}],
        },
    )


def show(request: ApiRequest, services: Services) -> ApiResponse:
    integration = _repository(request, services).find()
    return ApiResponse(body=_view(integration), headers=etag_headers(integration.etag if integration else ""))


def connect(request: ApiRequest, body: IntegrationBody, services: Services) -> ApiResponse:
    repository = _repository(request, services)
    existing = repository.find()
    require_if_match(request, existing.etag if existing else "")
    request.audit.target = f"tenant_id={body.tenant_id}"
    secret = body.client_secret.get_secret_value()
    report = _test(services, body.tenant_id, body.client_id, secret)
    if report.refused is not None:
        raise _refused(report.refused)
    now = services.clock()
    name = secret_name_for(request.tenant)
    services.secrets.set(name, secret)
    # Reconnecting the same tenant keeps its refresh history (and so the refresh limit).
    history = (
        existing.model_dump(
            include={
                "last_refresh_requested_at",
                "last_refresh_run_id",
                "last_recompute_run_id",
                "last_refresh_at",
            }
        )
        if existing is not None and existing.tenant_id.lower() == body.tenant_id.lower()
        else {}
    )
    integration = M365Integration(
        tenant_id=body.tenant_id,
        client_id=body.client_id,
        secret_name=name,
        connected_at=now,
        etag=existing.etag if existing else "",
        **history,
    )
    saved = repository.save(_tested(integration, report, now))
    if existing is not None:
        request.audit.security_event("m365_credentials_replaced", f"tenant_id={body.tenant_id}")
    return ApiResponse(body=_view(saved), headers=etag_headers(saved.etag))


def check_stored_connection(request: ApiRequest, services: Services) -> ConnectionTestView:
    """Test the stored connection again (after granting a permission, say) and record what it found."""
    repository = _repository(request, services)
    integration = repository.find()
    if integration is None:
        raise conflict("not-connected", "Connect the Microsoft 365 tenant first")
    try:
        secret = services.secrets.get(integration.secret_name)
    except SecretNotFoundError:
        raise conflict("not-connected", "The client secret is missing: connect the tenant again") from None
    report = _test(services, integration.tenant_id, integration.client_id, secret)
    now = services.clock()
    if report.refused is not None:
        repository.record_failure(f"{report.refused.field}: {report.refused}", now)
    else:
        repository.update(lambda current: _tested(current, report, now))
    return _test_view(report, now)


def disconnect(request: ApiRequest, services: Services) -> ApiResponse:
    services.secrets.delete(secret_name_for(request.tenant))
    _repository(request, services).delete()
    return ApiResponse(status=204)


def _accepted(request: ApiRequest, run: RunRecord, action: RefreshAction) -> ApiResponse:
    request.audit.target = f"run_id={run.run_id}"
    return ApiResponse(
        status=202,
        body=RefreshAccepted(run_id=run.run_id, state=run.state, action=action),
        headers={"Location": f"/api/v1/runs/{run.run_id}"},
    )


def _run_in_progress(runs: RunRepository, integration: M365Integration, now: datetime) -> RunRecord | None:
    """The organisation's run under way, if any: the last ones refresh now started, or today's scheduled."""
    candidates = (
        integration.last_refresh_run_id,
        integration.last_recompute_run_id,
        daily_run_id(now.date()),
    )
    for run_id in filter(None, candidates):
        run = runs.find(run_id)
        if run is not None and run.as_seen(now).state in IN_PROGRESS:
            return run
    return None


def _collection_wait(runs: RunRepository, integration: M365Integration, now: datetime) -> int:
    """Seconds until a collection may start: 15 minutes after the last one, unless that one failed."""
    last = integration.last_refresh_requested_at
    if last is None or now - last >= REFRESH_INTERVAL:
        return 0
    run = runs.find(integration.last_refresh_run_id) if integration.last_refresh_run_id else None
    if run is not None and run.as_seen(now).state == "failed":
        return 0
    return math.ceil((last + REFRESH_INTERVAL - now).total_seconds())


def _outdated_published_run(request: ApiRequest, services: Services, runs: RunRepository) -> RunRecord | None:
    """The published run, if the organisation's settings changed since it was computed."""
    published = services.org(request.tenant).insights.published()
    record = runs.find(published.run_id) if published is not None else None
    if record is None:
        return None
    metadata = services.org(request.tenant).metadata
    return record if record.settings_version != organisation_settings(metadata).version else None


def _remember(repository: IntegrationRepository, integration: M365Integration, **fields: object) -> None:
    try:
        # The conditional write is the rate limiter: of two requests racing, one wins.
        repository.save(integration.model_copy(update=fields))
    except ConcurrencyError:
        raise too_many_requests("refresh-rate-limited", "A refresh was asked for just now", 60) from None


def refresh(request: ApiRequest, services: Services) -> ApiResponse:
    repository = _repository(request, services)
    integration = repository.find()
    if integration is None:
        raise conflict("not-connected", "Connect the Microsoft 365 tenant first")
    now = services.clock()
    runs = services.org(request.tenant).runs
    under_way = _run_in_progress(runs, integration, now)
    if under_way is not None:
        return _accepted(request, under_way, "in_progress")
    wait = _collection_wait(runs, integration, now)
    if wait:
        outdated = _outdated_published_run(request, services, runs)
        if outdated is None:
            raise too_many_requests("refresh-rate-limited", "A refresh was asked for recently", wait)
        run = new_run(recompute_run_id(now), outdated.as_of, "member", now, snapshot_of=outdated)
        _remember(repository, integration, last_recompute_run_id=run.run_id)
        run = runs.create_if_absent(run)
        QueueSender(services.storage, QueueName.COMPUTE_INSIGHTS).send(
            ComputeInsights(org_id=request.tenant.org_id, run_id=run.run_id, as_of=run.as_of)
        )
        return _accepted(request, run, "recompute")
    run = new_run(member_run_id(now), now.date(), "member", now)
    _remember(repository, integration, last_refresh_requested_at=now, last_refresh_run_id=run.run_id)
    run = runs.create_if_absent(run)
    QueueSender(services.storage, QueueName.REFRESH_TENANT).send(
        RefreshTenant(org_id=request.tenant.org_id, run_id=run.run_id, as_of=run.as_of, trigger="member")
    )
    return _accepted(request, run, "collect")
