"""Authentication and function-level authorisation of one request.

- anonymous endpoints: nothing is checked;
- bearer endpoints: a valid access token (`Authorization: Bearer`), any or no membership;
- member endpoints: the token, the member it is bound to (active), a live session of that member
  (`X-Session`) and a role at least the endpoint's minimum. The organisation is the member's.
- platform endpoints (`v1/platform/…`): an operator configured by setting, with a live platform session
  and a platform role at least the endpoint's minimum; every customer is refused (403).

An operator is never a customer: on a customer endpoint, bearer ones included, they are refused unless
they send `X-Support-Grant` with a grant of theirs the organisation approved, which is still active,
and the endpoint is a GET declared `support_read` that an admin may call. Then the organisation is the
grant's, and the role read-only admin.

Whenever the token is bound to a member, bearer endpoints included (opening a session, enrolling MFA),
the organisation must be `active`: one point read of its status, on every request, failing closed (a
missing row refuses; a storage error answers 500 and lets nothing through). So offboarding stops every
session the moment it is requested, whatever the deletion job's queue is doing.

Failures are 401 (who are you?) or 403 (you may not); the reasons are not told apart in the answer,
except for an organisation being offboarded, which its members are told.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from shared.auth.caller import SUPPORT_READ_ROLE, Caller, SupportAccess
from shared.auth.errors import (
    AccessDeniedError,
    IdentityProviderUnavailableError,
    NotAuthenticatedError,
    OrganisationOffboardedError,
)
from shared.auth.roles import Access, platform_role_satisfies, role_satisfies
from shared.identity.errors import RejectReason, TokenRejectedError
from shared.identity.tokens import VerifiedToken
from shared.members import IdentityIndex
from shared.organisations import organisation_is_active
from shared.platform.operators import Operator, find_operator
from shared.platform.support import SupportGrants
from shared.services import Services
from shared.storage import PLATFORM, TenantContext

SESSION_HEADER = "x-session"
_NO_SESSION = "The session is missing, expired or revoked: open a new one."
SUPPORT_GRANT_HEADER = "x-support-grant"


def bearer_token(headers: Mapping[str, str]) -> str | None:
    scheme, _, token = headers.get("authorization", "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def verify_identity(headers: Mapping[str, str], services: Services) -> VerifiedToken:
    token = bearer_token(headers)
    if token is None:
        raise NotAuthenticatedError
    try:
        return services.token_validator.validate(token)
    except TokenRejectedError as error:
        if error.reason is RejectReason.KEYS_UNAVAILABLE:
            raise IdentityProviderUnavailableError from None
        raise NotAuthenticatedError from None


def authenticate(
    headers: Mapping[str, str], access: Access, services: Services, *, support_read: bool = False
) -> Caller | None:
    """The caller of an endpoint declared with `access` (and `support_read`); else an `AuthError`."""
    if access is Access.ANONYMOUS:
        return None
    identity = verify_identity(headers, services)
    operator = find_operator(identity, services)
    if access.is_platform:
        if operator is None:
            raise AccessDeniedError("This is for Insight365's operators.", caller=Caller(identity=identity))
        return _operator(Caller(identity=identity, operator=operator), operator, headers, access, services)
    if operator is not None:
        caller = Caller(identity=identity, operator=operator)
        return _supporting_operator(caller, operator, headers, access, services, support_read=support_read)
    binding = IdentityIndex(services.storage, services.page_signer).find(identity.identity_key)
    member = services.org(binding.tenant).members.find(binding.member_id) if binding else None
    caller = Caller(identity=identity, binding=binding, member=member)
    if binding is not None and not organisation_is_active(
        services.storage, binding.tenant, services.page_signer
    ):
        raise OrganisationOffboardedError(caller=caller)
    if not access.needs_session:
        return caller
    if binding is None or member is None or member.status != "active":
        raise NotAuthenticatedError(caller=caller)
    session = services.org(binding.tenant).sessions.touch(
        headers.get(SESSION_HEADER, ""), member.member_id, services.clock()
    )
    if session is None:
        raise NotAuthenticatedError(_NO_SESSION, caller=caller)
    caller = Caller(identity=identity, binding=binding, member=member, session_hash=session.token_hash)
    if not role_satisfies(member.role, access):
        raise AccessDeniedError(caller=caller)
    return caller


def _platform_session(
    caller: Caller, operator: Operator, headers: Mapping[str, str], services: Services
) -> Caller:
    """`caller` (the operator) with their live platform session, or 401."""
    session = services.org(PLATFORM).sessions.touch(
        headers.get(SESSION_HEADER, ""), operator.operator_id, services.clock()
    )
    if session is None:
        raise NotAuthenticatedError(_NO_SESSION, caller=caller)
    return replace(caller, session_hash=session.token_hash)


def _operator(
    caller: Caller, operator: Operator, headers: Mapping[str, str], access: Access, services: Services
) -> Caller:
    if not access.needs_session:
        return caller
    caller = _platform_session(caller, operator, headers, services)
    if not platform_role_satisfies(operator.role, access):
        raise AccessDeniedError(caller=caller)
    return caller


def _supporting_operator(
    caller: Caller,
    operator: Operator,
    headers: Mapping[str, str],
    access: Access,
    services: Services,
    *,
    support_read: bool,
) -> Caller:
    """An operator on a customer endpoint: only a readable GET, under an active grant of theirs."""
    refused = AccessDeniedError(
        "Operators read an organisation's data only under a support grant it approved."
    )
    grant_id = headers.get(SUPPORT_GRANT_HEADER, "")
    if not grant_id:
        raise refused.refusing(caller)
    caller = _platform_session(caller, operator, headers, services)
    grant = SupportGrants(services.storage, services.page_signer).find_active(
        grant_id, operator, services.clock()
    )
    if grant is None:
        raise refused.refusing(caller)
    # From here the organisation is known: a refusal is audited in its log too.
    caller = replace(caller, support=SupportAccess(grant.grant_id, TenantContext(grant.org_id)))
    if not (support_read and role_satisfies(SUPPORT_READ_ROLE, access)):
        raise AccessDeniedError("A support grant is read-only: insights and reports.", caller=caller)
    if not organisation_is_active(services.storage, TenantContext(grant.org_id), services.page_signer):
        raise OrganisationOffboardedError(caller=caller)
    return caller
