"""Who is calling: the verified identity, and the member and session behind it when there is one;
or an operator of the platform, reading one organisation under a support grant when they send one."""

from __future__ import annotations

from dataclasses import dataclass

from shared.identity.tokens import VerifiedToken
from shared.members import IdentityBinding, Member
from shared.platform.operators import Operator
from shared.roles import Role
from shared.storage import TenantContext

# What a support grant lets an operator read: the GETs an admin may make on endpoints declared
# `support_read=True` (insights and reports), nothing else.
SUPPORT_READ_ROLE: Role = "admin"


@dataclass(frozen=True)
class SupportAccess:
    """An approved, unexpired support grant the operator is using on this request."""

    grant_id: str
    tenant: TenantContext


@dataclass(frozen=True)
class Caller:
    identity: VerifiedToken
    binding: IdentityBinding | None = None
    member: Member | None = None
    session_hash: str | None = None
    operator: Operator | None = None
    support: SupportAccess | None = None

    @property
    def tenant(self) -> TenantContext | None:
        """The caller's organisation: always from the member record (or the grant the organisation's
        super admin approved), never from the request."""
        if self.support is not None:
            return self.support.tenant
        return self.binding.tenant if self.binding else None

    @property
    def role(self) -> Role | None:
        """The customer role the caller acts with: the member's, or read-only admin under a grant."""
        if self.support is not None:
            return SUPPORT_READ_ROLE
        return self.member.role if self.member else None
