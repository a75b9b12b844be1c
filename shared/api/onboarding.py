"""Sign-up, first login of an invited member, and the lookup from a bearer token to its member."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from shared.api.views import MemberView, OrganisationView
from shared.auth.caller import Caller
from shared.http.problems import ApiError, conflict
from shared.http.request import ApiRequest, RequestModel
from shared.members import (
    PRIVACY_NOTICE_VERSION,
    Consent,
    IdentityBinding,
    IdentityIndex,
    InvitationRepository,
    Member,
    MemberRepository,
    Name,
    Phone,
    find_invitation,
    new_member_id,
)
from shared.organisations import Organisation, OrganisationRepository
from shared.services import Services
from shared.storage import AlreadyExistsError, ConcurrencyError, NotFoundError, OrgContainer, TenantContext


class SignupBody(RequestModel):
    organisation_name: Name
    first_name: Name
    last_name: Name
    phone: Phone | None = None
    # Needed with `phone`: personal data beyond the sign-up minimum only with consent (GDPR).
    privacy_notice_version: str | None = None


class SignupResult(BaseModel):
    organisation: OrganisationView
    member: MemberView


def not_a_member() -> ApiError:
    return ApiError(403, "not-a-member", "No membership", "This identity belongs to no organisation yet.")


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


def sign_up(request: ApiRequest, body: SignupBody, services: Services) -> SignupResult:
    caller = request.verified_caller
    if caller.binding is not None:
        raise conflict("already-a-member", "This identity already belongs to an organisation")
    email = caller.identity.email
    if email is None:
        raise ApiError(403, "email-unverified", "Verified email required", "The token has no verified email.")
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
    index = IdentityIndex(services.storage, services.tokens)
    try:
        # Claim the identity first: two sign-ups racing create one organisation, not two.
        index.bind(
            caller.identity.identity_key, IdentityBinding(org_id=tenant.org_id, member_id=member.member_id)
        )
    except AlreadyExistsError:
        raise conflict("already-a-member", "This identity already belongs to an organisation") from None
    try:
        organisation = OrganisationRepository(services.storage, services.tokens).create(
            Organisation(org_id=tenant.org_id, name=body.organisation_name, created_at=now)
        )
        OrgContainer(services.storage, tenant).create()
        member = MemberRepository(services.storage, tenant, services.tokens).create(member)
    except Exception:
        index.unbind(caller.identity.identity_key)
        raise
    request.audit.tenant, request.audit.actor_member_id = tenant, member.member_id
    request.audit.target = f"organisation={tenant.org_id}"
    return SignupResult(organisation=OrganisationView.of(organisation), member=MemberView.of(member))


def member_of(request: ApiRequest, services: Services) -> tuple[TenantContext, Member]:
    """The caller's organisation and member; an invited identity is bound here at its first login."""
    caller = request.verified_caller
    if caller.binding is not None:
        if caller.member is None or caller.member.status != "active":
            raise not_a_member()
        return caller.binding.tenant, caller.member
    tenant, member = _accept_invitation(caller, services)
    request.audit.tenant, request.audit.actor_member_id = tenant, member.member_id
    request.audit.target = f"member={member.member_id}"
    return tenant, member


def _accept_invitation(caller: Caller, services: Services) -> tuple[TenantContext, Member]:
    email = caller.identity.email
    now = services.clock()
    pending = find_invitation(services.storage, email, now) if email else None
    if pending is None or email is None:
        raise not_a_member()
    tenant, invitation = pending.tenant, pending.invitation
    try:
        # Consume the invitation before using it: of two logins racing for it, one wins.
        InvitationRepository(services.storage, tenant, services.tokens).delete(email, etag=pending.etag)
    except (ConcurrencyError, NotFoundError):
        raise not_a_member() from None
    member = Member(
        member_id=new_member_id(),
        first_name=invitation.first_name,
        last_name=invitation.last_name,
        email=email,
        role=invitation.role,
        created_at=now,
    )
    binding = IdentityBinding(org_id=tenant.org_id, member_id=member.member_id)
    try:
        IdentityIndex(services.storage, services.tokens).bind(caller.identity.identity_key, binding)
    except AlreadyExistsError:
        raise conflict("already-a-member", "This identity already belongs to an organisation") from None
    return tenant, MemberRepository(services.storage, tenant, services.tokens).create(member)
