"""Who is calling: the verified identity, and the member and session behind it when there is one."""

from __future__ import annotations

from dataclasses import dataclass

from shared.identity.tokens import VerifiedToken
from shared.members import IdentityBinding, Member
from shared.storage import TenantContext


@dataclass(frozen=True)
class Caller:
    identity: VerifiedToken
    binding: IdentityBinding | None = None
    member: Member | None = None
    session_hash: str | None = None

    @property
    def tenant(self) -> TenantContext | None:
        """The caller's organisation: always from the member record, never from the request."""
        return self.binding.tenant if self.binding else None
