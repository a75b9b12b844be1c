"""Roles: what a member may do in their organisation, and what Insight365's own staff may do.

The one ranking of member roles (`rank`) serves every decision by role: the access level of a route
(`shared.auth.roles`), who may change whose role (`shared.members`), which reports a role may read
(`shared.insights.reports`).
"""

from __future__ import annotations

from typing import Literal

Role = Literal["user", "admin", "super_admin"]
ROLES: tuple[Role, ...] = ("user", "admin", "super_admin")
# Insight365's own staff, configured by setting (never by a customer): a security officer may do
# everything an operator may, and more.
PlatformRole = Literal["operator", "security_officer"]
PLATFORM_ROLES: tuple[PlatformRole, ...] = ("operator", "security_officer")


def rank(role: Role) -> int:
    """Higher ranks may do everything lower ones may."""
    return ROLES.index(role)


def platform_rank(role: PlatformRole) -> int:
    return PLATFORM_ROLES.index(role)
