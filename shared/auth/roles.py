"""Access levels: every endpoint declares its minimum, and everything else is denied.

The roles themselves, and their ranking, are the member domain's (`shared.roles`).
"""

from __future__ import annotations

from enum import StrEnum

from shared.roles import PlatformRole, Role, platform_rank, rank


class Access(StrEnum):
    """Who may call an endpoint, from least to most privileged."""

    ANONYMOUS = "anonymous"
    BEARER = "bearer"  # a valid identity-provider token, no organisation or session yet
    USER = "user"
    ADMIN = "admin"
    SUPER_ADMIN = "super_admin"
    # The platform plane (routes under `v1/platform/`): configured operators only, whatever else they are.
    PLATFORM_SIGN_IN = "platform_sign_in"  # an operator's token, no platform session yet (MFA, session)
    OPERATOR = "operator"
    SECURITY_OFFICER = "security_officer"

    @property
    def needs_session(self) -> bool:
        return self in _MINIMUM_ROLE or self in _MINIMUM_PLATFORM_ROLE

    @property
    def is_platform(self) -> bool:
        return self in {Access.PLATFORM_SIGN_IN, *_MINIMUM_PLATFORM_ROLE}


_MINIMUM_ROLE: dict[Access, Role] = {
    Access.USER: "user",
    Access.ADMIN: "admin",
    Access.SUPER_ADMIN: "super_admin",
}


_MINIMUM_PLATFORM_ROLE: dict[Access, PlatformRole] = {
    Access.OPERATOR: "operator",
    Access.SECURITY_OFFICER: "security_officer",
}


def role_satisfies(role: Role, access: Access) -> bool:
    """Whether a member with `role` may call an endpoint declared with `access` (never a platform one)."""
    required = _MINIMUM_ROLE.get(access)
    return not access.is_platform and (required is None or rank(role) >= rank(required))


def platform_role_satisfies(role: PlatformRole, access: Access) -> bool:
    """Whether an operator with `role` may call a platform endpoint declared with `access`."""
    required = _MINIMUM_PLATFORM_ROLE.get(access)
    return access.is_platform and (required is None or platform_rank(role) >= platform_rank(required))
