"""The member's own data (GDPR self-service): profile and rectification, consent, export, erasure."""

from __future__ import annotations

from typing import Any

from shared.api.deletion_requests import remember
from shared.api.onboarding import consent_required, consents_for
from shared.api.views import Accepted, MemberView
from shared.http.etags import etag_headers, require_if_match
from shared.http.problems import ApiError, conflict
from shared.http.request import ApiRequest, RequestModel
from shared.http.response import ApiResponse
from shared.lifecycle import export_member, request_member_erasure
from shared.members import PRIVACY_NOTICE_VERSION, Member, MemberRepository, Name, Phone
from shared.services import Services


class ProfilePatch(RequestModel):
    """Rectification: only these fields; `phone: null` removes the phone number. Email comes from sign-in."""

    first_name: Name | None = None
    last_name: Name | None = None
    phone: Phone | None = None


class ConsentBody(RequestModel):
    version: str


def member_response(member: Member) -> ApiResponse:
    return ApiResponse(body=MemberView.of(member), headers=etag_headers(member.etag))


def _members(request: ApiRequest, services: Services) -> MemberRepository:
    return MemberRepository(services.storage, request.tenant, services.tokens)


def rectify(request: ApiRequest, patch: ProfilePatch, services: Services) -> ApiResponse:
    member = request.member
    require_if_match(request, member.etag)
    changes: dict[str, Any] = patch.model_dump(exclude_unset=True)
    if changes.get("phone") is not None and not member.has_consented_to(PRIVACY_NOTICE_VERSION):
        raise consent_required()
    if any(changes.get(name, "") is None for name in ("first_name", "last_name")):
        raise ApiError(422, "validation-error", "First and last name cannot be removed")
    return member_response(_members(request, services).save(member.model_copy(update=changes)))


def record_consent(request: ApiRequest, body: ConsentBody, services: Services) -> ApiResponse:
    member = request.member
    consents = consents_for(body.version, services.clock())
    updated = member.model_copy(update={"consents": [*member.consents, *consents]})
    return member_response(_members(request, services).save(updated))


def export(request: ApiRequest, services: Services) -> dict[str, Any]:
    return export_member(services, request.tenant, request.member.member_id)


def last_super_admin(members: MemberRepository, member: Member) -> bool:
    """Whether removing `member` would leave the organisation without an active super admin."""
    return member.role == "super_admin" and not any(
        other.role == "super_admin" and other.status == "active" and other.member_id != member.member_id
        for other in members.iter_all()
    )


def request_erasure(request: ApiRequest, services: Services) -> Accepted:
    member = request.member
    if last_super_admin(_members(request, services), member):
        raise conflict(
            "last-super-admin",
            "The last super admin cannot be erased",
            "Grant super_admin to another member first, or offboard the organisation.",
        )
    deletion = request_member_erasure(
        services, request.tenant, member.member_id, requested_by=member.member_id
    )
    request.audit.target = f"request={deletion.request_id}"
    return remember(services, request.tenant, deletion)
