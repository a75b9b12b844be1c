"""The member's own data (GDPR self-service): profile and rectification, consent, export, erasure."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pydantic import Field

from shared.api.deletion_requests import remember
from shared.api.onboarding import consent_required, consents_for
from shared.api.views import Accepted, MemberView
from shared.http.etags import etag_headers, require_if_match
from shared.http.problems import ApiError, conflict, forbidden
from shared.http.request import ApiRequest, RequestModel
from shared.http.response import ApiResponse
from shared.lifecycle import export_member, request_member_erasure
from shared.members import (
    PRIVACY_NOTICE_VERSION,
    LastSuperAdminError,
    Member,
    MemberRepository,
    Name,
    Phone,
    SuperAdminRequiredError,
)
from shared.services import Services
from shared.storage import ConcurrencyError

ERASURE_WRITE_ATTEMPTS = 5


class ProfilePatch(RequestModel):
    """Rectification: only these fields; `phone: null` removes the phone number. Email comes from sign-in."""

    first_name: Name | None = None
    last_name: Name | None = None
    phone: Phone | None = None


class ConsentBody(RequestModel):
    version: str = Field(min_length=1, max_length=32)


def member_response(member: Member) -> ApiResponse:
    return ApiResponse(body=MemberView.of(member), headers=etag_headers(member.etag))


def _members(request: ApiRequest, services: Services) -> MemberRepository:
    return services.org(request.tenant).members


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
    if member.has_consented_to(body.version):
        # Accepting the same notice again changes nothing, so the history grows only with new versions.
        return member_response(member)
    updated = member.model_copy(update={"consents": [*member.consents, *consents]})
    return member_response(_members(request, services).save(updated))


def export(request: ApiRequest, services: Services) -> dict[str, Any]:
    return export_member(services, request.tenant, request.member.member_id)


@contextmanager
def membership_rules() -> Iterator[None]:
    """The organisation's rules on members, decided by the write itself, as problems."""
    try:
        yield
    except LastSuperAdminError:
        raise conflict(
            "last-super-admin",
            "The organisation needs an active super admin",
            "The last active super admin cannot be demoted, disabled or erased: grant super_admin to "
            "another member first, or offboard the organisation.",
        ) from None
    except SuperAdminRequiredError:
        raise forbidden("You are no longer a super admin.") from None


def disable_for_erasure(
    members: MemberRepository, member: Member, *, authorised_by: str | None = None
) -> None:
    """Disable a member about to be erased, in the write that keeps an active super admin (409 if it is
    the last one); re-read and retried if the member changed meanwhile."""
    with membership_rules():
        for _ in range(ERASURE_WRITE_ATTEMPTS):
            if member.status == "disabled":
                return
            try:
                members.save(member.model_copy(update={"status": "disabled"}), authorised_by=authorised_by)
                return
            except ConcurrencyError:
                current = members.find(member.member_id)
                if current is None:
                    return  # erased meanwhile: the erasure request reports it
                member = current
    raise ConcurrencyError("the member kept changing")


def request_erasure(request: ApiRequest, services: Services) -> Accepted:
    member = request.member
    disable_for_erasure(_members(request, services), member)
    deletion = request_member_erasure(
        services, request.tenant, member.member_id, requested_by=member.member_id
    )
    request.audit.target = f"request={deletion.request_id}"
    return remember(services, request.tenant, deletion)
