"""Member management by admins (ARCHITECTURE §5): invitations, roles, disabling, erasure.

Admins manage members up to `admin`; only a super admin may grant `super_admin` or touch a super admin.
An attempt to go beyond one's role is refused (403) and recorded as a `role_escalation` security event.
Changing a member's role or disabling them revokes their sessions at once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints

from shared.api.deletion_requests import remember
from shared.api.lookup import missing, path_id
from shared.api.profile import last_super_admin, member_response
from shared.api.views import Accepted, MemberView
from shared.auth.roles import Role, rank
from shared.auth.sessions import SessionStore
from shared.http.etags import require_if_match
from shared.http.problems import conflict, forbidden
from shared.http.request import ApiRequest, RequestModel
from shared.http.response import ApiResponse
from shared.lifecycle import request_member_erasure
from shared.members import (
    INVITATION_LIFETIME,
    Invitation,
    InvitationRepository,
    Member,
    MemberRepository,
    MemberStatus,
    Name,
    email_hash,
)
from shared.services import Services

Email = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
]


class PageQuery(RequestModel):
    page_size: int = Field(default=50, ge=1, le=200)
    continuation: str | None = Field(default=None, max_length=8192)


class MemberList(BaseModel):
    items: list[MemberView]
    continuation: str | None = None


class InviteBody(RequestModel):
    email: Email
    role: Role
    first_name: Name
    last_name: Name


class InvitationView(BaseModel):
    email: str
    role: Role
    expires_at: datetime


class MemberPatch(RequestModel):
    role: Role | None = None
    status: MemberStatus | None = None


def _members(request: ApiRequest, services: Services) -> MemberRepository:
    return MemberRepository(services.storage, request.tenant, services.tokens)


def _escalation(request: ApiRequest, target: str) -> None:
    """Refuse an action on or towards `super_admin` by a caller who is not one."""
    if request.member.role != "super_admin":
        request.audit.security_event("role_escalation", target)
        raise forbidden("Only a super admin may grant super_admin or change a super admin.")


def _target(request: ApiRequest, services: Services) -> Member:
    member_id = path_id(request, "member_id")
    member = _members(request, services).find(member_id)
    if member is None:
        raise missing(request, "member_id", member_id)
    return member


def list_members(request: ApiRequest, query: PageQuery, services: Services) -> MemberList:
    members, token = _members(request, services).page(
        page_size=query.page_size, continuation_token=query.continuation
    )
    return MemberList(items=[MemberView.of(member) for member in members], continuation=token)


def invite(request: ApiRequest, body: InviteBody, services: Services) -> ApiResponse:
    if body.role == "super_admin":
        _escalation(request, "role=super_admin")
    hashed = email_hash(body.email)
    if any(email_hash(member.email) == hashed for member in _members(request, services).iter_all()):
        raise conflict("already-a-member", "This address already belongs to a member")
    now = services.clock()
    invitation = Invitation(
        email=body.email,
        role=body.role,
        first_name=body.first_name,
        last_name=body.last_name,
        invited_by=request.member.member_id,
        created_at=now,
        expires_at=now + INVITATION_LIFETIME,
    )
    InvitationRepository(services.storage, request.tenant, services.tokens).save(invitation)
    request.audit.target = f"invitation={hashed[:16]},role={body.role}"
    view = InvitationView(email=invitation.email, role=invitation.role, expires_at=invitation.expires_at)
    return ApiResponse(status=201, body=view)


def get_member(request: ApiRequest, services: Services) -> ApiResponse:
    return member_response(_target(request, services))


def update_member(request: ApiRequest, patch: MemberPatch, services: Services) -> ApiResponse:
    member = _target(request, services)
    require_if_match(request, member.etag)
    changes: dict[str, Any] = patch.model_dump(exclude_none=True)
    if member.role == "super_admin" or changes.get("role") == "super_admin":
        _escalation(request, f"member_id={member.member_id}")
    demoted = "role" in changes and rank(changes["role"]) < rank(member.role)
    disabled = changes.get("status") == "disabled"
    members = _members(request, services)
    if (demoted or disabled) and last_super_admin(members, member):
        raise conflict("last-super-admin", "The organisation needs an active super admin")
    saved = members.save(member.model_copy(update=changes))
    if saved.role != member.role or (saved.status == "disabled" and member.status != "disabled"):
        SessionStore(services.storage, request.tenant, services.tokens).revoke_member(member.member_id)
    return member_response(saved)


def erase_member(request: ApiRequest, services: Services) -> Accepted:
    member = _target(request, services)
    if member.role == "super_admin":
        _escalation(request, f"member_id={member.member_id}")
    if last_super_admin(_members(request, services), member):
        raise conflict("last-super-admin", "The organisation needs an active super admin")
    deletion = request_member_erasure(
        services, request.tenant, member.member_id, requested_by=request.member.member_id
    )
    request.audit.target = f"member_id={member.member_id},request={deletion.request_id}"
    return remember(services, request.tenant, deletion)
