"""Support access over HTTP: operators ask (`v1/platform/support-requests`), the organisation's super
admin decides (`v1/support-access`). Each step is audited in both the organisation's and the platform's
log, with the grant's id on the row."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, Field, StringConstraints

from shared.audit import UNATTRIBUTED
from shared.http.problems import ApiError, conflict, not_found
from shared.http.request import ApiRequest, RequestModel
from shared.members import plain_text
from shared.organisations import organisation_is_active
from shared.platform.support import (
    MAX_GRANT_HOURS,
    OPEN_STATES,
    GrantState,
    SupportAccessError,
    SupportGrant,
    SupportGrants,
)
from shared.platform.support_notice import notify_super_admins
from shared.roles import PlatformRole
from shared.services import Services
from shared.storage import PLATFORM, TenantContext

Reason = Annotated[
    str, BeforeValidator(plain_text), StringConstraints(strip_whitespace=True, min_length=10, max_length=500)
]


class SupportRequestBody(RequestModel):
    org_id: str = Field(pattern=r"^[0-9a-f]{32}$", description="The organisation the customer named")
    reason: Reason = Field(description="Why access is needed (the customer reads it before deciding)")
    duration_hours: int = Field(default=8, ge=1, le=MAX_GRANT_HOURS, description="How long, once approved")


class SupportGrantView(BaseModel):
    grant_id: str
    org_id: str
    state: GrantState
    requested_by: str = Field(description="The operator id")
    requester_role: PlatformRole
    reason: str
    duration_hours: int
    requested_at: datetime
    request_expires_at: datetime = Field(description="A request nobody decides lapses then")
    decided_at: datetime | None = None
    decided_by: str | None = Field(default=None, description="The super admin's member id")
    expires_at: datetime | None = Field(default=None, description="An approved grant ends then")
    revoked_at: datetime | None = None
    revoked_by: str | None = None

    @classmethod
    def of(cls, grant: SupportGrant, now: datetime) -> SupportGrantView:
        return cls.model_validate(grant.model_dump(exclude={"approved"}) | {"state": grant.state(now)})


class SupportGrantList(BaseModel):
    """Newest request first: pending, active and past grants alike."""

    items: list[SupportGrantView]


def _grants(services: Services) -> SupportGrants:
    return SupportGrants(services.storage, services.page_signer)


def _audit(request: ApiRequest, grant_id: str, other_log: TenantContext) -> None:
    request.audit.target = f"grant={grant_id}"
    request.audit.support_grant_id = grant_id
    request.audit.mirror_to = other_log


# -- operators ---------------------------------------------------------------------------------------


def request_support(request: ApiRequest, body: SupportRequestBody, services: Services) -> SupportGrantView:
    operator, now = request.operator, services.clock()
    tenant = TenantContext(body.org_id)
    request.audit.target = f"org={tenant.org_id}"
    if tenant in (PLATFORM, UNATTRIBUTED) or not organisation_is_active(
        services.storage, tenant, services.page_signer
    ):
        raise ApiError(404, "organisation-not-found", "No such active organisation")
    grants = _grants(services)
    if any(
        grant.requested_by == operator.operator_id and grant.state(now) in OPEN_STATES
        for grant in grants.list_in(tenant)
    ):
        raise conflict("support-request-open", "You have an open request or grant for this organisation")
    grant = grants.request(tenant, operator, body.reason, body.duration_hours, now)
    _audit(request, grant.grant_id, tenant)
    notify_super_admins(services, tenant, grant)
    return SupportGrantView.of(grant, now)


def list_requests(services: Services) -> SupportGrantList:
    now = services.clock()
    return SupportGrantList(items=[SupportGrantView.of(grant, now) for grant in _grants(services).list_all()])


def get_request(request: ApiRequest, services: Services) -> SupportGrantView:
    grant = _grants(services).find(request.route_params.get("grant_id", ""))
    if grant is None:
        raise not_found()
    request.audit.target = f"grant={grant.grant_id}"
    return SupportGrantView.of(grant, services.clock())


# -- the customer ------------------------------------------------------------------------------------


def list_grants(request: ApiRequest, services: Services) -> SupportGrantList:
    now = services.clock()
    grants = _grants(services).list_in(request.tenant)
    return SupportGrantList(items=[SupportGrantView.of(grant, now) for grant in grants])


def get_grant(request: ApiRequest, services: Services) -> SupportGrantView:
    grant = _grants(services).find_in(request.tenant, request.route_params.get("grant_id", ""))
    if grant is None:
        raise not_found()
    request.audit.target = f"grant={grant.grant_id}"
    return SupportGrantView.of(grant, services.clock())


def decide(request: ApiRequest, services: Services, *, approve: bool) -> SupportGrantView:
    grant_id, now = request.route_params.get("grant_id", ""), services.clock()
    with _deciding(request, grant_id):
        changed = _grants(services).decide(
            request.tenant, grant_id, approve=approve, member_id=request.member.member_id, now=now
        )
    return _decided(request, changed, now)


def revoke(request: ApiRequest, services: Services) -> SupportGrantView:
    grant_id, now = request.route_params.get("grant_id", ""), services.clock()
    with _deciding(request, grant_id):
        changed = _grants(services).revoke(
            request.tenant, grant_id, member_id=request.member.member_id, now=now
        )
    return _decided(request, changed, now)


@contextmanager
def _deciding(request: ApiRequest, grant_id: str) -> Iterator[None]:
    """A decision the grant's state refuses is 409, and audited on both sides like one it allows."""
    try:
        yield
    except SupportAccessError as error:
        _audit(request, grant_id, PLATFORM)
        raise conflict(
            "support-access-decided", f"The support request is {error.state}", "Nothing was changed."
        ) from None


def _decided(request: ApiRequest, grant: SupportGrant | None, now: datetime) -> SupportGrantView:
    if grant is None:  # not this organisation's: nothing to tell the platform
        raise not_found()
    _audit(request, grant.grant_id, PLATFORM)
    return SupportGrantView.of(grant, now)
