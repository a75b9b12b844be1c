"""Joining an organisation with a bearer token: sign-up, or accepting an invitation with its code; and the
lookup from a bearer token to its member.

An invitation is never accepted implicitly: signing in with an invited address binds nothing. The invitee
accepts with the code they were given, which names the inviting organisation; in that organisation the
invitation is found under the caller's verified email, so a code works only for the address it was
issued to, once, until it expires (`INVITATION_LIFETIME`, 7 days) or is renewed or revoked. Accepting
never reads or changes another organisation's invitation.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from pydantic import BaseModel, Field

from shared.api.views import MemberView, OrganisationView
from shared.http.problems import ApiError, conflict
from shared.http.request import ApiRequest, RequestModel
from shared.members import (
    PRIVACY_NOTICE_VERSION,
    Consent,
    IdentityBinding,
    IdentityIndex,
    Invitation,
    InvitationCode,
    Member,
    Name,
    Phone,
    new_member_id,
)
from shared.organisations import Organisation, OrganisationRepository
from shared.roles import Role
from shared.services import Services
from shared.storage import (
    AlreadyExistsError,
    ConcurrencyError,
    NotFoundError,
    TenantContext,
    provision_organisation,
)


class SignupBody(RequestModel):
    organisation_name: Name
    first_name: Name
    last_name: Name
    phone: Phone | None = None
    # Needed with `phone`: personal data beyond the sign-up minimum only with consent (GDPR).
    privacy_notice_version: str | None = Field(default=None, min_length=1, max_length=32)


class Membership(BaseModel):
    """The organisation just joined (signed up or accepted) and the caller's member record in it."""

    organisation: OrganisationView
    member: MemberView


class InvitationCodeBody(RequestModel):
    code: str = Field(pattern=InvitationCode.PATTERN, description="The invitation code, as given")


class InvitationPreview(BaseModel):
    """What accepting this invitation would do, for the invitee to check before accepting."""

    organisation_name: str
    role: Role
    email: str
    first_name: str
    last_name: str
    expires_at: datetime


def not_a_member() -> ApiError:
    return ApiError(
        403,
        "not-a-member",
        "No membership",
        "This identity belongs to no organisation yet: accept an invitation with its code "
        "(POST /api/v1/invitations/accept) or sign up.",
    )


def invitation_not_found() -> ApiError:
    return ApiError(
        404,
        "invitation-not-found",
        "No such invitation",
        "No pending invitation matches this code and your verified email address: it may have expired, "
        "been used, renewed or revoked. Ask for a new one.",
    )


def _verified_email(request: ApiRequest) -> str:
    email = request.verified_caller.identity.email
    if email is None:
        raise ApiError(403, "email-unverified", "Verified email required", "The token has no verified email.")
    return email


def consent_required() -> ApiError:
    return ApiError(
        409,
        "consent-required",
        "Consent required",
        f"Accept privacy notice {PRIVACY_NOTICE_VERSION} before giving optional personal data.",
    )


def consents_for(version: str | None, now: datetime) -> list[Consent]:
    if version is None:
        return []
    if version != PRIVACY_NOTICE_VERSION:
        raise ApiError(
            422, "unknown-privacy-notice", "Unknown privacy notice version", PRIVACY_NOTICE_VERSION
        )
    return [Consent(version=version, accepted_at=now)]


def already_a_member() -> ApiError:
    return conflict("already-a-member", "This identity already belongs to an organisation")


@contextmanager
def _joining(
    request: ApiRequest, tenant: TenantContext, member: Member, services: Services
) -> Iterator[None]:
    """Bind the caller's identity to `member` before anything else is written (an identity joins one
    organisation, whatever races with it: 409 for the others), release it if joining fails, and name the
    new member as the actor of the request's audit row."""
    identity_key = request.verified_caller.identity.identity_key
    index = IdentityIndex(services.storage, services.page_signer)
    try:
        index.bind(identity_key, IdentityBinding(org_id=tenant.org_id, member_id=member.member_id))
    except AlreadyExistsError:
        raise already_a_member() from None
    try:
        yield
    except BaseException:
        index.unbind(identity_key)
        raise
    request.audit.tenant, request.audit.actor_member_id = tenant, member.member_id


def sign_up(request: ApiRequest, body: SignupBody, services: Services) -> Membership:
    caller = request.verified_caller
    if caller.binding is not None:
        raise already_a_member()
    email = _verified_email(request)
    now = services.clock()
    consents = consents_for(body.privacy_notice_version, now)
    if body.phone is not None and not consents:
        raise consent_required()
    tenant = TenantContext.new_organisation()
    member = Member(
        member_id=new_member_id(),
        first_name=body.first_name,
        last_name=body.last_name,
        email=email,
        phone=body.phone,
        role="super_admin",
        created_at=now,
        consents=consents,
    )
    with _joining(request, tenant, member, services):
        organisation = OrganisationRepository(services.storage, services.page_signer).create(
            Organisation(org_id=tenant.org_id, name=body.organisation_name, created_at=now)
        )
        provision_organisation(services.storage, tenant)
        member = services.org(tenant).members.create(member)
    request.audit.target = f"organisation={tenant.org_id}"
    return Membership(organisation=OrganisationView.of(organisation), member=MemberView.of(member))


def member_of(request: ApiRequest) -> tuple[TenantContext, Member]:
    """The caller's organisation and active member; 403 for an identity that has joined none."""
    caller = request.verified_caller
    if caller.binding is None or caller.member is None or caller.member.status != "active":
        raise not_a_member()
    return caller.binding.tenant, caller.member


def _invitation_for(
    request: ApiRequest, body: InvitationCodeBody, services: Services
) -> tuple[Organisation, Invitation]:
    """The pending invitation the code opens for the caller's verified email, and its organisation."""
    email = _verified_email(request)
    code = InvitationCode.parse(body.code)
    invitation = services.org(code.tenant).invitations.find(email)
    organisation = OrganisationRepository(services.storage, services.page_signer).find(code.tenant)
    if (
        invitation is None
        or not code.opens(invitation)
        or not invitation.is_pending(services.clock())
        or organisation is None
        or organisation.status != "active"
    ):
        request.audit.security_event("invitation_code_rejected", "invitation")
        raise invitation_not_found()
    return organisation, invitation


def preview_invitation(
    request: ApiRequest, body: InvitationCodeBody, services: Services
) -> InvitationPreview:
    organisation, invitation = _invitation_for(request, body, services)
    return InvitationPreview(
        organisation_name=organisation.name,
        role=invitation.role,
        email=invitation.email,
        first_name=invitation.first_name,
        last_name=invitation.last_name,
        expires_at=invitation.expires_at,
    )


def accept_invitation(request: ApiRequest, body: InvitationCodeBody, services: Services) -> Membership:
    """Join the organisation the code names, with the invited role: the identity is bound, the invitation
    used up, and the new member enrols TOTP next (POST /me/mfa/totp)."""
    caller = request.verified_caller
    if caller.binding is not None:
        raise already_a_member()
    organisation, invitation = _invitation_for(request, body, services)
    tenant = organisation.tenant
    member = Member(
        member_id=new_member_id(),
        first_name=invitation.first_name,
        last_name=invitation.last_name,
        email=_verified_email(request),
        role=invitation.role,
        created_at=services.clock(),
    )
    with _joining(request, tenant, member, services):
        try:
            # Use the invitation up, conditionally: of two acceptances racing for it, one wins.
            services.org(tenant).invitations.consume(invitation)
        except (ConcurrencyError, NotFoundError):
            raise invitation_not_found() from None
        member = services.org(tenant).members.create(member)
    request.audit.target = f"invitation_id={invitation.invitation_id},role={member.role}"
    return Membership(organisation=OrganisationView.of(organisation), member=MemberView.of(member))
