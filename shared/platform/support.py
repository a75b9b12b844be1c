"""Support access the customer controls (in the manner of Microsoft's Customer Lockbox).

An operator asks for read access to one organisation, with a reason and a duration of at most 72 hours.
Only a super admin of that organisation can approve or deny it; an approved grant lets the operator who
asked, and nobody else, read that organisation's insights and reports (the GETs declared
`support_read=True`) until it expires or a super admin revokes it. A request nobody decides lapses after
`REQUEST_LIFETIME`.

`supportaccess`: org_id / grant_id → document (the `SupportGrant` JSON), in the organisation's own
partition (offboarding erases it with the organisation); and `PLATFORM` / grant_id → org_id, the index
through which the platform lists every grant and the authenticator finds the one a request names.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, Field

from shared.ownership import OrgPartitions, Rows, TableOwner, org_partitions_of
from shared.platform.operators import Operator
from shared.roles import PlatformRole
from shared.services import Services
from shared.storage import (
    PLATFORM,
    ConcurrencyError,
    OrgTable,
    PageTokenSigner,
    StorageClients,
    TableName,
    TenantContext,
)
from shared.storage.documents import document_of, read_document

MAX_GRANT_HOURS = 72
REQUEST_LIFETIME = timedelta(hours=24)
GrantState = Literal["pending", "active", "denied", "revoked", "expired"]
# States in which a grant may still become (or is) usable.
OPEN_STATES: frozenset[GrantState] = frozenset({"pending", "active"})
GRANT_ID = re.compile(r"[0-9a-f]{32}")


class SupportAccessError(Exception):
    """A decision the grant's current state does not allow (approving a revoked grant, …)."""

    def __init__(self, state: GrantState) -> None:
        super().__init__(f"the support request is {state}")
        self.state = state


class SupportGrant(BaseModel):
    """One support request and what became of it. Never holds a name or an email: ids only."""

    grant_id: str
    org_id: str
    requested_by: str  # operator id
    requester_role: PlatformRole
    reason: str
    duration_hours: int = Field(ge=1, le=MAX_GRANT_HOURS)
    requested_at: datetime
    request_expires_at: datetime
    decided_at: datetime | None = None
    decided_by: str | None = None  # member id of the super admin
    approved: bool | None = None
    expires_at: datetime | None = None  # set on approval: decided_at + duration_hours
    revoked_at: datetime | None = None
    revoked_by: str | None = None

    def state(self, now: datetime) -> GrantState:
        if self.revoked_at is not None:
            return "revoked"
        if self.approved is False:
            return "denied"
        if self.approved:
            return "active" if self.expires_at is not None and now < self.expires_at else "expired"
        return "pending" if now < self.request_expires_at else "expired"


_Change = Callable[[SupportGrant], SupportGrant]


class SupportGrants:
    """The grants of the whole platform: created by operators, decided inside each organisation."""

    def __init__(self, clients: StorageClients, tokens: PageTokenSigner) -> None:
        self._clients = clients
        self._tokens = tokens
        self._index = self._table(PLATFORM)

    def _table(self, tenant: TenantContext) -> OrgTable:
        return OrgTable(self._clients, tenant, TableName.SUPPORT_ACCESS, tokens=self._tokens)

    def request(
        self, tenant: TenantContext, operator: Operator, reason: str, duration_hours: int, now: datetime
    ) -> SupportGrant:
        """A new pending request (the index first, so that every stored grant is reachable from it)."""
        grant = SupportGrant(
            grant_id=uuid.uuid4().hex,
            org_id=tenant.org_id,
            requested_by=operator.operator_id,
            requester_role=operator.role,
            reason=reason,
            duration_hours=duration_hours,
            requested_at=now,
            request_expires_at=now + REQUEST_LIFETIME,
        )
        self._index.insert(grant.grant_id, {"org_id": tenant.org_id})
        self._table(tenant).insert(grant.grant_id, document_of(grant))
        return grant

    def _load(self, tenant: TenantContext, grant_id: str) -> tuple[SupportGrant, str] | None:
        if GRANT_ID.fullmatch(grant_id) is None:  # from a URL: never a key of any row
            return None
        entity = self._table(tenant).find(grant_id)
        return None if entity is None else (read_document(SupportGrant, entity.properties), entity.etag)

    def find_in(self, tenant: TenantContext, grant_id: str) -> SupportGrant | None:
        """A grant of this organisation (another organisation's grant id is simply not there)."""
        loaded = self._load(tenant, grant_id)
        return loaded[0] if loaded else None

    def find(self, grant_id: str) -> SupportGrant | None:
        """Any grant, through the platform index (operators only)."""
        if GRANT_ID.fullmatch(grant_id) is None:
            return None
        entry = self._index.find(grant_id, select=["RowKey", "org_id"])
        return None if entry is None else self.find_in(TenantContext(entry.properties["org_id"]), grant_id)

    def find_active(self, grant_id: str, operator: Operator, now: datetime) -> SupportGrant | None:
        """The grant, if it is active and `operator` asked for it; None for anything else, alike."""
        grant = self.find(grant_id)
        if grant is None or grant.requested_by != operator.operator_id or grant.state(now) != "active":
            return None
        return grant

    def list_in(self, tenant: TenantContext) -> list[SupportGrant]:
        """Every grant of one organisation, newest request first."""
        grants = [read_document(SupportGrant, entity.properties) for entity in self._table(tenant).query()]
        return sorted(grants, key=lambda grant: grant.requested_at, reverse=True)

    def list_all(self) -> list[SupportGrant]:
        """Every grant of the platform, newest request first (those of offboarded organisations are gone)."""
        found = (self.find_in(TenantContext(entity.properties["org_id"]), entity.row_key)
                 for entity in self._index.query(select=["RowKey", "org_id"]))  # fmt: skip
        return sorted((grant for grant in found if grant), key=lambda grant: grant.requested_at, reverse=True)

    def decide(
        self, tenant: TenantContext, grant_id: str, *, approve: bool, member_id: str, now: datetime
    ) -> SupportGrant | None:
        """Approve (for the requested hours, from now) or deny a pending request; None if not there."""

        def decided(grant: SupportGrant) -> SupportGrant:
            if grant.state(now) != "pending":
                raise SupportAccessError(grant.state(now))
            expires = now + timedelta(hours=grant.duration_hours) if approve else None
            return grant.model_copy(
                update={
                    "decided_at": now,
                    "decided_by": member_id,
                    "approved": approve,
                    "expires_at": expires,
                }
            )

        return self._change(tenant, grant_id, decided)

    def revoke(
        self, tenant: TenantContext, grant_id: str, *, member_id: str, now: datetime
    ) -> SupportGrant | None:
        """End an active grant at once (or withdraw consent from a pending one); None if not there."""

        def revoked(grant: SupportGrant) -> SupportGrant:
            if grant.state(now) not in OPEN_STATES:
                raise SupportAccessError(grant.state(now))
            return grant.model_copy(update={"revoked_at": now, "revoked_by": member_id})

        return self._change(tenant, grant_id, revoked)

    def _change(self, tenant: TenantContext, grant_id: str, change: _Change) -> SupportGrant | None:
        """Apply `change` to the stored grant conditionally (If-Match): of two racing decisions, the
        second sees the first's outcome and is refused by the state rule."""
        while True:
            loaded = self._load(tenant, grant_id)
            if loaded is None:
                return None
            updated = change(loaded[0])
            try:
                self._table(tenant).update(grant_id, document_of(updated), etag=loaded[1])
            except ConcurrencyError:
                continue
            return updated


def _organisation_rows(services: Services, tenant: TenantContext) -> list[Rows]:
    """The organisation's partition, and its entries in the platform's index."""
    grants = SupportGrants(services.storage, services.page_signer)
    own = grants._table(tenant)
    index = [row.row_key for row in grants._index.query() if row.properties.get("org_id") == tenant.org_id]
    return [Rows(own, [row.row_key for row in own.query(select=["RowKey"])]), Rows(grants._index, index)]


_DECIDERS: OrgPartitions = org_partitions_of(TableName.SUPPORT_ACCESS)  # grants name the deciding member

SUPPORT_ACCESS_OWNER = TableOwner(
    table=TableName.SUPPORT_ACCESS,
    module=__name__,
    organisation_rows=_organisation_rows,
    mentions=_DECIDERS,
    keeps="a grant names a member only as who decided it (pseudonymised at erasure); grants lapse, "
    "and are kept as the organisation's record of support access until offboarding",
)
