"""Member management by admins: invitations, roles, disabling, MFA reset, erasure.

Admins manage members up to `admin`; only a super admin may grant `super_admin` or touch a super admin,
and the same rule covers invitations: issuing, renewing (at any role) or revoking an invitation that is,
or would become, `super_admin`. An attempt to go beyond one's role is refused (403) and recorded as a
`role_escalation` security event. Changing a member's role, disabling them or resetting their MFA
revokes their sessions at once. The last active super admin cannot be demoted, disabled or erased
(409 `last-super-admin`), decided by one conditional write per organisation (see `MemberRepository`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, Field, StringConstraints

from shared.api.deletion_requests import remember
from shared.api.lookup import missing, path_id
from shared.api.profile import disable_for_erasure, member_response, membership_rules
from shared.api.views import Accepted, MemberView
from shared.http.etags import require_if_match
from shared.http.problems import conflict, forbidden
from shared.http.request import ApiRequest, RequestModel
from shared.http.response import ApiResponse
from shared.lifecycle import request_member_erasure
from shared.members import (
    INVITATION_LIFETIME,
    Invitation,
    InvitationCode,
    InvitationRepository,
    Member,
    MemberRepository,
    MemberStatus,
    Name,
    email_hash,
    plain_text,
)
from shared.roles import Role
from shared.services import Services

Email = Annotated[
    str,
    BeforeValidator(plain_text),
    StringConstraints(strip_whitespace=True, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
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
    """A pending invitation as its organisation's admins see it (never its code)."""

    invitation_id: str
    email: str
    role: Role
    first_name: str
    last_name: str
    invited_by: str = Field(description="member_id of the admin who last issued it")
    created_at: datetime
    expires_at: datetime

    @classmethod
    def of(cls, invitation: Invitation) -> InvitationView:
        return cls.model_validate(invitation.model_dump())


class IssuedInvitation(InvitationView):
    code: str = Field(
        description="Shown once, stored only as a hash: give it to the invitee, who accepts with it "
        "(POST /api/v1/invitations/accept) while signed in with the invited email address. "
        "Re-inviting the address issues a new code and voids this one."
    )


class InvitationList(BaseModel):
    items: list[InvitationView]
    continuation: str | None = None


class MemberPatch(RequestModel):
    role: Role | None = None
    status: MemberStatus | None = None


def _members(request: ApiRequest, services: Services) -> MemberRepository:
    return services.org(request.tenant).members


def _invitations(request: ApiRequest, services: Services) -> InvitationRepository:
    return services.org(request.tenant).invitations


def _require_super_admin(request: ApiRequest, target: str) -> str:
    """Refuse an action on or towards `super_admin` by a caller who is not one (403 and a `role_escalation`
    event); else the caller's id, for the write to confirm they are still a super admin when it happens."""
    if request.member.role != "super_admin":
        request.audit.security_event("role_escalation", target)
        raise forbidden("Only a super admin may grant super_admin or change a super admin.")
    return request.member.member_id


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
    """Issue an invitation, or renew the address's pending one (same id, new role and names, new code)."""
    hashed = email_hash(body.email)
    if any(email_hash(member.email) == hashed for member in _members(request, services).iter_all()):
        raise conflict("already-a-member", "This address already belongs to a member")
    now = services.clock()
    invitations = _invitations(request, services)
    previous = invitations.find(body.email)
    pending = previous if previous is not None and previous.is_pending(now) else None
    if "super_admin" in (body.role, pending.role if pending else None):
        _require_super_admin(request, f"invitation={hashed[:16]},role={body.role}")
    code = InvitationCode.new(request.tenant)
    invitation = Invitation(
        email=body.email,
        role=body.role,
        first_name=body.first_name,
        last_name=body.last_name,
        invited_by=request.member.member_id,
        created_at=now,
        expires_at=now + INVITATION_LIFETIME,
        code_hash=code.hash,
        etag=previous.etag if previous else "",
    )
    if pending is not None:
        invitation = invitation.model_copy(update={"invitation_id": pending.invitation_id})
    saved = invitations.save(invitation)
    renewed = f",renewed_from={pending.role}" if pending else ""
    request.audit.target = f"invitation_id={saved.invitation_id},role={saved.role}{renewed}"
    issued = IssuedInvitation(**InvitationView.of(saved).model_dump(), code=str(code))
    return ApiResponse(status=201, body=issued)


def list_invitations(request: ApiRequest, query: PageQuery, services: Services) -> InvitationList:
    """Pending invitations; expired ones are left out (the retention sweep deletes them)."""
    now = services.clock()
    found, token = _invitations(request, services).page(
        page_size=query.page_size, continuation_token=query.continuation
    )
    items = [InvitationView.of(invitation) for invitation in found if invitation.is_pending(now)]
    return InvitationList(items=items, continuation=token)


def revoke_invitation(request: ApiRequest, services: Services) -> ApiResponse:
    invitation_id = path_id(request, "invitation_id")
    invitations = _invitations(request, services)
    invitation = invitations.find_by_id(invitation_id)
    if invitation is None:
        raise missing(request, "invitation_id", invitation_id)
    if invitation.role == "super_admin":
        _require_super_admin(request, f"invitation_id={invitation_id}")
    invitations.delete(invitation)
    request.audit.target = f"invitation_id={invitation_id},role={invitation.role}"
    return ApiResponse(status=204)


def get_member(request: ApiRequest, services: Services) -> ApiResponse:
    return member_response(_target(request, services))


def update_member(request: ApiRequest, patch: MemberPatch, services: Services) -> ApiResponse:
    member = _target(request, services)
    require_if_match(request, member.etag)
    changes: dict[str, Any] = patch.model_dump(exclude_none=True)
    authorised_by = None
    if member.role == "super_admin" or changes.get("role") == "super_admin":
        authorised_by = _require_super_admin(request, f"member_id={member.member_id}")
    with membership_rules():
        saved = _members(request, services).save(
            member.model_copy(update=changes), authorised_by=authorised_by
        )
    if saved.role == "super_admin" and member.role != "super_admin":
        request.audit.security_event("super_admin_granted", f"member_id={member.member_id}")
    if saved.role != member.role or (saved.status == "disabled" and member.status != "disabled"):
        services.org(request.tenant).sessions.revoke_member(member.member_id)
    return member_response(saved)


def reset_mfa(request: ApiRequest, services: Services) -> ApiResponse:
    """Remove a member's TOTP and recovery codes and end their sessions: they enrol again at next sign-in."""
    member = _target(request, services)
    if member.member_id == request.member.member_id:
        raise conflict(
            "own-mfa",
            "You cannot reset your own MFA",
            "Ask another admin, or open a session with one of your recovery codes.",
        )
    if member.role == "super_admin":
        _require_super_admin(request, f"member_id={member.member_id}")
    services.org(request.tenant).mfa.reset(member.member_id)
    services.org(request.tenant).sessions.revoke_member(member.member_id)
    request.audit.security_event("mfa_reset", f"member_id={member.member_id}")
    return ApiResponse(status=204)


def erase_member(request: ApiRequest, services: Services) -> Accepted:
    member = _target(request, services)
    authorised_by = (
        _require_super_admin(request, f"member_id={member.member_id}")
        if member.role == "super_admin"
        else None
    )
    disable_for_erasure(_members(request, services), member, authorised_by=authorised_by)
    deletion = request_member_erasure(
        services, request.tenant, member.member_id, requested_by=request.member.member_id
    )
    request.audit.target = f"member_id={member.member_id},request={deletion.request_id}"
    return remember(services, request.tenant, deletion)
