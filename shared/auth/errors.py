"""Why authentication or authorisation refused a caller. The HTTP adapter answers each with its
problem (401, 403 or 503); nothing here knows about HTTP."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shared.auth.caller import Caller


class AuthError(Exception):
    """A refusal. `caller` is who was refused, when their identity is known (the audit row names them);
    `detail` is the plain-words explanation for them, or None for the usual one."""

    def __init__(self, detail: str | None = None, *, caller: Caller | None = None) -> None:
        super().__init__(detail or type(self).__name__)
        self.detail = detail
        self.caller = caller

    def refusing(self, caller: Caller) -> AuthError:
        """This refusal, of `caller`."""
        self.caller = caller
        return self


class NotAuthenticatedError(AuthError):
    """No valid bearer token, or no live session where the endpoint needs one."""


class AccessDeniedError(AuthError):
    """Authenticated, but the role (or the kind of caller) may not call this endpoint."""


class OrganisationOffboardedError(AccessDeniedError):
    """The caller's organisation is being offboarded: its data is being deleted."""


class IdentityProviderUnavailableError(AuthError):
    """The identity provider's signing keys could not be fetched: nobody can be authenticated now."""
