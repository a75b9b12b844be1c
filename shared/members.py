"""Members (Insight365 users), the login index that finds a member by identity, and invitations.

Storage (ARCHITECTURE §3; the data-lifecycle jobs delete by exactly this schema):
- `members`: org_id / member_id → role, status, email_hash, document (the `Member` JSON);
- `identities` (shared): identity_key / "member" → org_id, member_id. Keyed by `iss`+`sub`, never email;
- `invitations`: org_id / sha256(lower(email)) → document (the `Invitation` JSON), used once.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from shared.auth.roles import Role
from shared.storage import (
    NotFoundError,
    OrgTable,
    Page,
    PageTokenSigner,
    SharedTable,
    StorageClients,
    TableName,
    TenantContext,
)
from shared.storage.errors import translate_errors

MemberStatus = Literal["active", "disabled"]
IDENTITY_ROW = "member"
INVITATION_LIFETIME = timedelta(days=7)
# The privacy notice members accept before optional personal data (phone) is processed.
PRIVACY_NOTICE_VERSION = "2025-06"
MEMBER_ID_PATTERN = r"^[0-9a-f]{32}$"
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\+?[0-9 ()-]{6,20}$")]


class Consent(BaseModel):
    version: str
    accepted_at: datetime


class Member(BaseModel):
    member_id: str
    first_name: str
    last_name: str
    email: str
    phone: str | None = None
    role: Role
    status: MemberStatus = "active"
    created_at: datetime
    consents: list[Consent] = Field(default_factory=list)
    etag: str = Field(default="", exclude=True)

    def has_consented_to(self, version: str) -> bool:
        return any(consent.version == version for consent in self.consents)


class Invitation(BaseModel):
    email: str
    role: Role
    first_name: str
    last_name: str
    invited_by: str
    created_at: datetime
    expires_at: datetime


def new_member_id() -> str:
    return uuid.uuid4().hex


def email_hash(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


class MemberRepository:
    def __init__(self, clients: StorageClients, tenant: TenantContext, tokens: PageTokenSigner) -> None:
        self._table = OrgTable(clients, tenant, TableName.MEMBERS, tokens=tokens)

    @property
    def tenant(self) -> TenantContext:
        return self._table.tenant

    @staticmethod
    def _properties(member: Member) -> dict[str, object]:
        return {
            "role": member.role,
            "status": member.status,
            "email_hash": email_hash(member.email),
            "document": member.model_dump_json(),
        }

    @staticmethod
    def _member(document: str, etag: str) -> Member:
        return Member.model_validate_json(document).model_copy(update={"etag": etag})

    def create(self, member: Member) -> Member:
        etag = self._table.insert(member.member_id, self._properties(member))
        return member.model_copy(update={"etag": etag})

    def find(self, member_id: str) -> Member | None:
        """This organisation's member, or None (also for another organisation's member id)."""
        try:
            entity = self._table.get(member_id)
        except NotFoundError:
            return None
        return self._member(entity.properties["document"], entity.etag)

    def save(self, member: Member) -> Member:
        """Write with the member's ETag; `ConcurrencyError` if someone changed it since it was read."""
        etag = self._table.update(member.member_id, self._properties(member), etag=member.etag)
        return member.model_copy(update={"etag": etag})

    def page(self, *, page_size: int, continuation_token: str | None) -> tuple[list[Member], str | None]:
        page: Page = self._table.list_page(page_size=page_size, continuation_token=continuation_token)
        members = [self._member(item.properties["document"], item.etag) for item in page.items]
        return members, page.continuation_token

    def iter_all(self) -> Iterator[Member]:
        for entity in self._table.query():
            yield self._member(entity.properties["document"], entity.etag)


class IdentityBinding(BaseModel):
    org_id: str
    member_id: str

    @property
    def tenant(self) -> TenantContext:
        return TenantContext(self.org_id)


class IdentityIndex:
    """identity_key → (organisation, member). The only way from a verified token to a member."""

    def __init__(self, clients: StorageClients, tokens: PageTokenSigner) -> None:
        self._table = SharedTable(clients, TableName.IDENTITIES, tokens=tokens)

    def find(self, identity_key: str) -> IdentityBinding | None:
        try:
            entity = self._table.partition(identity_key).get(IDENTITY_ROW)
        except NotFoundError:
            return None
        return IdentityBinding(org_id=entity.properties["org_id"], member_id=entity.properties["member_id"])

    def bind(self, identity_key: str, binding: IdentityBinding) -> None:
        """Claim the identity; `AlreadyExistsError` if it already belongs to a member."""
        self._table.partition(identity_key).insert(
            IDENTITY_ROW, {"org_id": binding.org_id, "member_id": binding.member_id}
        )

    def unbind(self, identity_key: str) -> None:
        self._table.partition(identity_key).delete(IDENTITY_ROW)


class InvitationRepository:
    def __init__(self, clients: StorageClients, tenant: TenantContext, tokens: PageTokenSigner) -> None:
        self._table = OrgTable(clients, tenant, TableName.INVITATIONS, tokens=tokens)

    def save(self, invitation: Invitation) -> None:
        """Create or renew the invitation of this email address."""
        self._table.upsert(email_hash(invitation.email), {"document": invitation.model_dump_json()})

    def delete(self, email: str, *, etag: str | None = None) -> None:
        self._table.delete(email_hash(email), etag=etag)


class PendingInvitation(BaseModel):
    tenant_org_id: str
    invitation: Invitation
    etag: str

    @property
    def tenant(self) -> TenantContext:
        return TenantContext(self.tenant_org_id)


def find_invitation(clients: StorageClients, email: str, now: datetime) -> PendingInvitation | None:
    """The oldest unexpired invitation of a verified email address, in whichever organisation.

    The one lookup across organisations: at a first login the organisation is what we are looking
    for. It reads only the small `invitations` table, by RowKey (a hash, never the address itself),
    with a parameterised filter; the result is used only to bind the identity that proved the address.
    """
    client = clients.table_client(TableName.INVITATIONS)
    with translate_errors("query invitations by email hash"):
        rows = list(client.query_entities("RowKey eq @row", parameters={"row": email_hash(email)}))
    found: list[PendingInvitation] = []
    for raw in rows:
        invitation = Invitation.model_validate_json(raw["document"])
        if invitation.expires_at > now and invitation.email.lower() == email.lower():
            found.append(
                PendingInvitation(
                    tenant_org_id=raw["PartitionKey"], invitation=invitation, etag=raw.metadata["etag"]
                )
            )
    return min(found, key=lambda pending: pending.invitation.created_at, default=None)
