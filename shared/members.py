"""Members (Insight365 users), the login index that finds a member by identity, and invitations.

Storage (this module alone knows it; the data-lifecycle jobs use the `*_OWNER` declarations at the end):
- `members`: org_id / member_id → role, status, email_hash, document (the `Member` JSON); and one more
  row per organisation, `super-admins`, the roster of its active super admins (see `MemberRepository`);
- `identities` (shared): identity_key / "member" → org_id, member_id. Keyed by `iss`+`sub`, never email;
- `invitations`: org_id / sha256(lower(email)) → document (the `Invitation` JSON, with only the hash of its
  code). One pending invitation per address and organisation; used once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import unicodedata
import uuid
from collections.abc import Iterable, Iterator
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, Field, StringConstraints

from shared.organisations import RetentionSettings
from shared.ownership import Rows, TableOwner, org_partitions_of
from shared.roles import Role
from shared.services import Services
from shared.storage import (
    AlreadyExistsError,
    ConcurrencyError,
    Entity,
    NotFoundError,
    OrgTable,
    Page,
    PageTokenSigner,
    SharedTable,
    StorageClients,
    TableName,
    TenantContext,
)
from shared.storage.documents import document_of, read_document
from shared.storage.scan import shared_rows

MemberStatus = Literal["active", "disabled"]
IDENTITY_ROW = "member"
INVITATION_LIFETIME = timedelta(days=7)
# The privacy notice members accept before optional personal data (phone) is processed.
PRIVACY_NOTICE_VERSION = "2025-06"
MEMBER_ID_PATTERN = r"^[0-9a-f]{32}$"
# Control (Cc), format (Cf: bidi overrides and isolates, zero-width characters), line and paragraph
# separators (Zl, Zp) and surrogates (Cs): invisible or reordering characters have no place in a name
# shown to other people (Trojan Source, CVE-2021-42574; look-alike names).
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})


def plain_text(value: object) -> object:
    """Free text as people see it: NFC-normalised, without invisible or reordering characters."""
    if not isinstance(value, str):
        return value  # the string type refuses it
    for character in value:
        if unicodedata.category(character) in _REFUSED_CATEGORIES:
            raise ValueError(
                f"control, format (bidi, zero-width) and separator characters are not allowed: "
                f"U+{ord(character):04X}"
            )
    return unicodedata.normalize("NFC", value)


Name = Annotated[
    str, BeforeValidator(plain_text), StringConstraints(strip_whitespace=True, min_length=1, max_length=100)
]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\+?[0-9 ()-]{6,20}$")]


class MembershipRuleError(Exception):
    """A change of members that the organisation's rules refuse, decided at the moment of writing."""


class LastSuperAdminError(MembershipRuleError):
    """The change would leave the organisation without an active super admin."""


class SuperAdminRequiredError(MembershipRuleError):
    """The member acting is no longer an active super admin (their role changed meanwhile)."""


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
    invitation_id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    email: str
    role: Role
    first_name: str
    last_name: str
    invited_by: str
    created_at: datetime
    expires_at: datetime
    code_hash: str = ""  # SHA-256 of the code's secret; the code itself is shown once and never stored
    etag: str = Field(default="", exclude=True)

    def is_pending(self, now: datetime) -> bool:
        return now < self.expires_at


@dataclass(frozen=True)
class InvitationCode:
    """What an invitee is given: the inviting organisation's id and a 256-bit secret, `<org_id>.<secret>`.

    The organisation is named by the code, never looked up by email address across organisations; the
    invitation itself is found in that organisation under the invitee's verified email, so a code works
    only for the address it was sent to.
    """

    tenant: TenantContext
    secret: str

    PATTERN = r"^[0-9a-f]{32}\.[A-Za-z0-9_-]{43}$"

    @classmethod
    def new(cls, tenant: TenantContext) -> InvitationCode:
        return cls(tenant, secrets.token_urlsafe(32))

    @classmethod
    def parse(cls, text: str) -> InvitationCode:
        """A code of `PATTERN` (validated by the request model) split into its parts."""
        org_id, secret = text.split(".")
        return cls(TenantContext(org_id), secret)

    def __str__(self) -> str:
        return f"{self.tenant.org_id}.{self.secret}"

    @property
    def hash(self) -> str:
        return hashlib.sha256(self.secret.encode()).hexdigest()

    def opens(self, invitation: Invitation) -> bool:
        return bool(invitation.code_hash) and hmac.compare_digest(invitation.code_hash, self.hash)


def new_member_id() -> str:
    return uuid.uuid4().hex


def email_hash(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


SUPER_ADMINS_ROW = "super-admins"
# Member ids are 32 lowercase hexadecimal characters: this RowKey range holds every member and never the
# roster row.
_MEMBER_ROWS = {"start": "0", "end": "g"}
ROSTER_WRITE_ATTEMPTS = 10


@dataclass(frozen=True)
class _Roster:
    member_ids: frozenset[str]
    etag: str | None  # None: not stored yet, built from the member rows

    def with_member(self, member: Member) -> frozenset[str]:
        """The roster once `member` is written as it is."""
        if member.role == "super_admin" and member.status == "active":
            return self.member_ids | {member.member_id}
        return self.member_ids - {member.member_id}


def _roster_properties(member_ids: frozenset[str]) -> dict[str, object]:
    return {"member_ids": json.dumps(sorted(member_ids))}


class MemberRepository:
    """An organisation's members, and the roster of its active super admins kept beside them.

    Every write that adds or removes an active super admin (sign-up, accepting an invitation, a role or
    status change, disabling before erasure) goes into one entity-group transaction with the roster row,
    conditional on both rows' ETags. So, however many such changes race, each is decided on the roster as
    it is at the moment of writing, and the last active super admin can never be demoted, disabled or
    erased (`LastSuperAdminError`).
    """

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
            **document_of(member),
        }

    @staticmethod
    def _member(entity: Entity) -> Member:
        return read_document(Member, entity.properties, etag=entity.etag)

    def create(self, member: Member) -> Member:
        """Insert a new member; `LastSuperAdminError` never applies to a new one."""
        return self._write(member, etag=None, authorised_by=None)

    def find(self, member_id: str) -> Member | None:
        """This organisation's member, or None (also for another organisation's member id)."""
        entity = self._table.find(member_id)
        return None if entity is None else self._member(entity)

    def save(self, member: Member, *, authorised_by: str | None = None) -> Member:
        """Write with the member's ETag; `ConcurrencyError` if someone changed it since it was read.

        `LastSuperAdminError` if the write would leave no active super admin. With `authorised_by`, the
        write also needs that member to be an active super admin at the moment of writing
        (`SuperAdminRequiredError`): a super admin demoted meanwhile cannot finish a change only super
        admins may make.
        """
        return self._write(member, etag=member.etag, authorised_by=authorised_by)

    def super_admin_ids(self) -> frozenset[str]:
        return self._roster().member_ids

    def page(self, *, page_size: int, continuation_token: str | None) -> tuple[list[Member], str | None]:
        page: Page = self._table.list_page(
            **_MEMBER_ROWS, page_size=page_size, continuation_token=continuation_token
        )
        members = [self._member(item) for item in page.items]
        return members, page.continuation_token

    def iter_all(self) -> Iterator[Member]:
        for entity in self._table.query(**_MEMBER_ROWS):
            yield self._member(entity)

    def _roster(self) -> _Roster:
        try:
            entity = self._table.get(SUPER_ADMINS_ROW)
        except NotFoundError:
            built = frozenset(
                member.member_id
                for member in self.iter_all()
                if member.role == "super_admin" and member.status == "active"
            )
            return _Roster(built, None)
        return _Roster(frozenset(json.loads(entity.properties["member_ids"])), entity.etag)

    def _write(self, member: Member, *, etag: str | None, authorised_by: str | None) -> Member:
        properties = self._properties(member)
        for _ in range(ROSTER_WRITE_ATTEMPTS):
            roster = self._roster()
            after = roster.with_member(member)
            if roster.member_ids and not after:
                raise LastSuperAdminError("the organisation needs an active super admin")
            if authorised_by is not None and authorised_by not in roster.member_ids:
                raise SuperAdminRequiredError("the acting member is no longer an active super admin")
            if after == roster.member_ids and authorised_by is None:
                return self._write_alone(member, properties, etag)
            if roster.etag is None:
                # The organisation's first roster, from its member rows; then decide again on it.
                with suppress(AlreadyExistsError):
                    self._table.insert(SUPER_ADMINS_ROW, _roster_properties(roster.member_ids))
                continue
            try:
                written, _ = self._table.write_together(
                    [
                        (member.member_id, properties, etag),
                        (SUPER_ADMINS_ROW, _roster_properties(after), roster.etag),
                    ]
                )
            except ConcurrencyError:
                if etag is not None and self._current_etag(member.member_id) != etag:
                    raise  # the member changed: the caller's copy is stale
                continue  # only the roster moved: decide again on the new one
            return member.model_copy(update={"etag": written})
        raise ConcurrencyError("the roster of super admins kept changing")

    def _write_alone(self, member: Member, properties: dict[str, object], etag: str | None) -> Member:
        if etag is None:
            written = self._table.insert(member.member_id, properties)
        else:
            written = self._table.update(member.member_id, properties, etag=etag)
        return member.model_copy(update={"etag": written})

    def _current_etag(self, member_id: str) -> str | None:
        entity = self._table.find(member_id, select=["RowKey"])
        return None if entity is None else entity.etag


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
        entity = self._table.partition(identity_key).find(IDENTITY_ROW)
        return (
            None
            if entity is None
            else IdentityBinding(org_id=entity.properties["org_id"], member_id=entity.properties["member_id"])
        )

    def bind(self, identity_key: str, binding: IdentityBinding) -> None:
        """Claim the identity; `AlreadyExistsError` if it already belongs to a member."""
        self._table.partition(identity_key).insert(
            IDENTITY_ROW, {"org_id": binding.org_id, "member_id": binding.member_id}
        )

    def unbind(self, identity_key: str) -> None:
        self._table.partition(identity_key).delete(IDENTITY_ROW)


class InvitationRepository:
    """One organisation's invitations, one row per invited address."""

    def __init__(self, clients: StorageClients, tenant: TenantContext, tokens: PageTokenSigner) -> None:
        self._table = OrgTable(clients, tenant, TableName.INVITATIONS, tokens=tokens)

    @staticmethod
    def _invitation(entity: Entity) -> Invitation:
        return read_document(Invitation, entity.properties, etag=entity.etag)

    def find(self, email: str) -> Invitation | None:
        """The invitation of this address (pending or expired), or None."""
        entity = self._table.find(email_hash(email))
        return None if entity is None else self._invitation(entity)

    def find_by_id(self, invitation_id: str) -> Invitation | None:
        return next((found for found in self.iter_all() if found.invitation_id == invitation_id), None)

    def iter_all(self) -> Iterator[Invitation]:
        for entity in self._table.query():
            yield self._invitation(entity)

    def page(self, *, page_size: int, continuation_token: str | None) -> tuple[list[Invitation], str | None]:
        page = self._table.list_page(page_size=page_size, continuation_token=continuation_token)
        invitations = [self._invitation(item) for item in page.items]
        return invitations, page.continuation_token

    def save(self, invitation: Invitation) -> Invitation:
        """Create the address's invitation, or replace the one read (its ETag); `ConcurrencyError` if it
        changed since, `AlreadyExistsError` if one was created meanwhile."""
        key, properties = email_hash(invitation.email), document_of(invitation)
        if invitation.etag:
            etag = self._table.update(key, properties, etag=invitation.etag)
        else:
            etag = self._table.insert(key, properties)
        return invitation.model_copy(update={"etag": etag})

    def rows_of(self, invitations: Iterable[Invitation]) -> Rows:
        return Rows(self._table, [email_hash(invitation.email) for invitation in invitations])

    def expired_rows(self, now: datetime) -> Rows:
        expired = [
            entity.row_key for entity in self._table.query() if self._invitation(entity).expires_at <= now
        ]
        return Rows(self._table, expired)

    def delete(self, invitation: Invitation) -> None:
        """Revoke the invitation as read; `ConcurrencyError` if it was renewed meanwhile."""
        self._table.delete(email_hash(invitation.email), etag=invitation.etag)

    def consume(self, invitation: Invitation) -> None:
        """Use the invitation as read, once: `ConcurrencyError` if it was renewed or used meanwhile,
        `NotFoundError` if it is gone. A conditional delete of a row that is gone already succeeds
        silently, so the claim is a conditional update and the delete follows it."""
        key = email_hash(invitation.email)
        self._table.update(key, {"used": True}, etag=invitation.etag, merge=True)
        self._table.delete(key)


_FOR_LIFE = "no expiry: kept while the member is, removed by erasure and offboarding"


def _member_row(services: Services, tenant: TenantContext, member_id: str) -> list[Rows]:
    found = MemberRepository(services.storage, tenant, services.page_signer).find(member_id) is not None
    table = OrgTable(services.storage, tenant, TableName.MEMBERS, tokens=services.page_signer)
    return [Rows(table, [member_id] if found else [])]


def _identity_rows(services: Services, equals: dict[str, str]) -> list[Rows]:
    index = SharedTable(services.storage, TableName.IDENTITIES, tokens=services.page_signer)
    return [
        Rows(index.partition(row["PartitionKey"]), [IDENTITY_ROW])
        for row in shared_rows(services.storage, TableName.IDENTITIES, equals)
        if row["RowKey"] == IDENTITY_ROW
    ]


def _own_invitation(services: Services, tenant: TenantContext, member_id: str) -> list[Rows]:
    """The invitation addressed to the member (one per address), found by their email."""
    member = MemberRepository(services.storage, tenant, services.page_signer).find(member_id)
    invitations = InvitationRepository(services.storage, tenant, services.page_signer)
    invitation = invitations.find(member.email) if member is not None else None
    return [invitations.rows_of([invitation] if invitation is not None else [])]


def _expired_invitations(
    services: Services, tenant: TenantContext, now: datetime, _periods: RetentionSettings
) -> list[Rows]:
    return [InvitationRepository(services.storage, tenant, services.page_signer).expired_rows(now)]


MEMBERS_OWNER = TableOwner.of_organisation_table(
    TableName.MEMBERS,
    __name__,
    member_rows=_member_row,
    keeps=_FOR_LIFE,
)
IDENTITIES_OWNER = TableOwner(
    table=TableName.IDENTITIES,
    module=__name__,
    organisation_rows=lambda services, tenant: _identity_rows(services, {"org_id": tenant.org_id}),
    member_rows=lambda services, tenant, member_id: _identity_rows(
        services, {"org_id": tenant.org_id, "member_id": member_id}
    ),
    keeps=_FOR_LIFE,
    row_of_organisation=lambda row, org_id: row.get("org_id") == org_id,
)
INVITATIONS_OWNER = TableOwner.of_organisation_table(
    TableName.INVITATIONS,
    __name__,
    member_rows=_own_invitation,
    expired_rows=_expired_invitations,
    mentions=org_partitions_of(TableName.INVITATIONS),  # other members' invitations name who sent them
)
