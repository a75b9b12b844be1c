"""Roles and access levels: every endpoint declares its minimum, and everything else is denied."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

Role = Literal["user", "admin", "super_admin"]
ROLES: tuple[Role, ...] = ("user", "admin", "super_admin")


class Access(StrEnum):
    """Who may call an endpoint, from least to most privileged."""

    ANONYMOUS = "anonymous"
    BEARER = "bearer"  # a valid identity-provider token, no organisation or session yet
    USER = "user"
    ADMIN = "admin"
    SUPER_ADMIN = "super_admin"

    @property
    def needs_session(self) -> bool:
        return self in _MINIMUM_ROLE


_MINIMUM_ROLE: dict[Access, Role] = {
    Access.USER: "user",
    Access.ADMIN: "admin",
    Access.SUPER_ADMIN: "super_admin",
}


def rank(role: Role) -> int:
    return ROLES.index(role)


def role_satisfies(role: Role, access: Access) -> bool:
    """Whether a member with `role` may call an endpoint declared with `access`."""
    required = _MINIMUM_ROLE.get(access)
    return required is None or rank(role) >= rank(required)
