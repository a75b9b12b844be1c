"""Authentication and function-level authorisation of one request.

- anonymous endpoints: nothing is checked;
- bearer endpoints: a valid access token (`Authorization: Bearer`), any or no membership;
- member endpoints: the token, the member it is bound to (active), a live session of that member
  (`X-Session`) and a role at least the endpoint's minimum. The organisation is the member's.

Whenever the token is bound to a member, bearer endpoints included (opening a session, enrolling MFA),
the organisation must be `active`: one point read of its status, on every request, failing closed (a
missing row refuses; a storage error answers 500 and lets nothing through). So offboarding stops every
session the moment it is requested, whatever the deletion job's queue is doing.

Failures are 401 (who are you?) or 403 (you may not); the reasons are not told apart in the answer,
except for an organisation being offboarded, which its members are told.
"""

from __future__ import annotations

from collections.abc import Mapping

from shared.auth.caller import Caller
from shared.auth.roles import Access, role_satisfies
from shared.auth.sessions import SessionStore
from shared.http.problems import ApiError, forbidden, service_unavailable, unauthenticated
from shared.identity.errors import RejectReason, TokenRejectedError
from shared.identity.tokens import VerifiedToken
from shared.members import IdentityIndex, MemberRepository
from shared.organisations import organisation_is_active
from shared.services import Services

SESSION_HEADER = "x-session"


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


def authenticate(headers: Mapping[str, str], access: Access, services: Services) -> Caller | None:
    """The caller of an endpoint declared with `access`, or an `ApiError` (401, 403, 503)."""
    if access is Access.ANONYMOUS:
        return None
    identity = verify_identity(headers, services)
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
