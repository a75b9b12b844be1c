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
from shared.auth.roles import Access, platform_role_satisfies, role_satisfies
from shared.auth.sessions import SessionStore
from shared.http.problems import ApiError, forbidden, service_unavailable, unauthenticated
from shared.identity.errors import RejectReason, TokenRejectedError
from shared.identity.tokens import VerifiedToken
from shared.members import IdentityIndex, MemberRepository
from shared.organisations import organisation_is_active
from shared.platform.operators import PLATFORM, Operator, find_operator
from shared.platform.support import SupportGrants
from shared.services import Services
from shared.storage import TenantContext

SESSION_HEADER = "x-session"
SUPPORT_GRANT_HEADER = "x-support-grant"


def bearer_token(headers: Mapping[str, str]) -> str | None:
    scheme, _, token = headers.get("authorization", "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def verify_identity(headers: Mapping[str, str], services: Services) -> VerifiedToken:
    token = bearer_token(headers)
    if token is None:
        raise unauthenticated()
    try:
        return services.token_validator.validate(token)
    except TokenRejectedError as error:
        if error.reason is RejectReason.KEYS_UNAVAILABLE:
            raise service_unavailable("identity-provider-unavailable", "Sign-in is unavailable") from None
        raise unauthenticated() from None


def authenticate(
    headers: Mapping[str, str], access: Access, services: Services, *, support_read: bool = False
) -> Caller | None:
    """The caller of an endpoint declared with `access` (and `support_read`), or an `ApiError` (401,
    403, 503)."""
    if access is Access.ANONYMOUS:
        return None
    identity = verify_identity(headers, services)
    operator = find_operator(identity, services)
    if access.is_platform:
        if operator is None:
            raise RefusedCallerError(
                Caller(identity=identity), forbidden("This is for Insight365's operators.")
            )
        return _operator(Caller(identity=identity, operator=operator), operator, headers, access, services)
    if operator is not None:
        caller = Caller(identity=identity, operator=operator)
        return _supporting_operator(caller, operator, headers, access, services, support_read=support_read)
    binding = IdentityIndex(services.storage, services.tokens).find(identity.identity_key)
    member = (
        MemberRepository(services.storage, binding.tenant, services.tokens).find(binding.member_id)
        if binding
        else None
    )
    caller = Caller(identity=identity, binding=binding, member=member)
    if binding is not None and not organisation_is_active(services.storage, binding.tenant, services.tokens):
        raise RefusedCallerError(caller, organisation_offboarded())
    if not access.needs_session:
        return caller
    if binding is None or member is None or member.status != "active":
        raise RefusedCallerError(caller, unauthenticated())
    session = SessionStore(services.storage, binding.tenant, services.tokens).touch(
        headers.get(SESSION_HEADER, ""), member.member_id, services.clock()
    )
    if session is None:
        raise RefusedCallerError(
            caller, unauthenticated("The session is missing, expired or revoked: open a new one.")
        )
    caller = Caller(identity=identity, binding=binding, member=member, session_hash=session.token_hash)
    if not role_satisfies(member.role, access):
        raise RefusedCallerError(caller, forbidden())
    return caller


def _platform_session(
    caller: Caller, operator: Operator, headers: Mapping[str, str], services: Services
) -> Caller:
    """`caller` (the operator) with their live platform session, or 401."""
    session = SessionStore(services.storage, PLATFORM, services.tokens).touch(
        headers.get(SESSION_HEADER, ""), operator.operator_id, services.clock()
    )
    if session is None:
        raise RefusedCallerError(
            caller, unauthenticated("The session is missing, expired or revoked: open a new one.")
        )
    return replace(caller, session_hash=session.token_hash)


def _operator(
    caller: Caller, operator: Operator, headers: Mapping[str, str], access: Access, services: Services
) -> Caller:
    if not access.needs_session:
        return caller
    caller = _platform_session(caller, operator, headers, services)
    if not platform_role_satisfies(operator.role, access):
        raise RefusedCallerError(caller, forbidden())
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
    refused = forbidden("Operators read an organisation's data only under a support grant it approved.")
    grant_id = headers.get(SUPPORT_GRANT_HEADER, "")
    if not grant_id:
        raise RefusedCallerError(caller, refused)
    caller = _platform_session(caller, operator, headers, services)
    grant = SupportGrants(services.storage, services.tokens).find_active(grant_id, operator, services.clock())
    if grant is None:
        raise RefusedCallerError(caller, refused)
    # From here the organisation is known: a refusal is audited in its log too.
    caller = replace(caller, support=SupportAccess(grant.grant_id, TenantContext(grant.org_id)))
    if not (support_read and role_satisfies(SUPPORT_READ_ROLE, access)):
        raise RefusedCallerError(caller, forbidden("A support grant is read-only: insights and reports."))
    if not organisation_is_active(services.storage, TenantContext(grant.org_id), services.tokens):
        raise RefusedCallerError(caller, organisation_offboarded())
    return caller


def organisation_offboarded() -> ApiError:
    return ApiError(
        403,
        "organisation-offboarded",
        "This organisation is being offboarded",
        "Its data is being deleted. Follow the deletion with the receipt id and secret you were given.",
    )


class RefusedCallerError(ApiError):
    """A refusal (401/403) of a caller whose identity is known, so the audit row can name them."""

    def __init__(self, caller: Caller, error: ApiError) -> None:
        super().__init__(error.status, error.kind, error.title, error.detail, headers=error.headers)
        self.caller = caller
