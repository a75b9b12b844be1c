"""The organisation's connection to its Microsoft 365 tenant (`integrations` table, row `m365`).

The client secret itself lives only in the secret store; this row names it. `status` follows the latest
evidence: a failed connection test or a refresh that failed for a reason on the customer's side sets
`error` with `last_error` in plain words; a passed test or a published refresh sets `connected` again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from shared.graph.permissions import PermissionStatus
from shared.ownership import TableOwner
from shared.storage import (
    ConcurrencyError,
    NotFoundError,
    OrgTable,
    PageTokenSigner,
    StorageClients,
    TableName,
    TenantContext,
)
from shared.storage.documents import DOCUMENT, document_of, read_document
from shared.storage.tables import scan_row

M365_ROW = "m365"
IntegrationStatus = Literal["connected", "disconnected", "error"]


_UPDATE_ATTEMPTS = 5


class PermissionCheck(BaseModel):
    """One Graph application permission as the latest connection test found it."""

    permission: str
    purpose: str
    required: bool
    status: PermissionStatus
    detail: str | None = None


class M365Integration(BaseModel):
    tenant_id: str = Field(pattern=r"^[0-9a-fA-F-]{36}$")
    client_id: str = Field(pattern=r"^[0-9a-fA-F-]{36}$")
    secret_name: str
    status: IntegrationStatus = "connected"
    consented_scopes: list[str] = Field(default_factory=list)
    connected_at: datetime
    last_refresh_requested_at: datetime | None = None
    last_refresh_run_id: str | None = None  # the collection the latest "refresh now" started
    last_recompute_run_id: str | None = None  # the recompute the latest "refresh now" started
    last_refresh_at: datetime | None = None  # when a refresh last published fresh data
    last_error: str | None = None
    last_error_at: datetime | None = None
    permissions: list[PermissionCheck] = Field(default_factory=list)
    tested_at: datetime | None = None
    etag: str = Field(default="", exclude=True)

    def failing(self, reason: str, now: datetime) -> M365Integration:
        return self.model_copy(update={"status": "error", "last_error": reason, "last_error_at": now})

    def healthy(self) -> M365Integration:
        return self.model_copy(update={"status": "connected", "last_error": None, "last_error_at": None})


def secret_name_for(tenant: TenantContext) -> str:
    """Key Vault secret names allow letters, digits and dashes only."""
    return f"m365-client-secret-{tenant.org_id}"


class IntegrationRepository:
    def __init__(self, clients: StorageClients, tenant: TenantContext, tokens: PageTokenSigner) -> None:
        self._table = OrgTable(clients, tenant, TableName.INTEGRATIONS, tokens=tokens)

    def find(self) -> M365Integration | None:
        try:
            return self.get()
        except NotFoundError:
            return None

    def get(self) -> M365Integration:
        """The connection; `NotFoundError` when the organisation has none."""
        entity = self._table.get(M365_ROW)
        return read_document(M365Integration, entity.properties, etag=entity.etag)

    def save(self, integration: M365Integration) -> M365Integration:
        """Create or replace; with an ETag, only if nobody changed it since it was read."""
        properties = {"status": integration.status, **document_of(integration)}
        if integration.etag:
            etag = self._table.update(M365_ROW, properties, etag=integration.etag)
        else:
            etag = self._table.upsert(M365_ROW, properties)
        return integration.model_copy(update={"etag": etag})

    def update(self, change: Callable[[M365Integration], M365Integration]) -> M365Integration | None:
        """Apply `change` to the newest version, again after a concurrent write; None without one."""
        for _ in range(_UPDATE_ATTEMPTS):
            integration = self.find()
            if integration is None:
                return None
            try:
                return self.save(change(integration))
            except (ConcurrencyError, NotFoundError):
                continue
        raise ConcurrencyError("integration: too many concurrent updates")

    def record_failure(self, reason: str, now: datetime) -> None:
        """A refresh failed for a reason the customer must fix: show it until something succeeds."""
        self.update(lambda integration: integration.failing(reason, now))

    def record_refresh(self, now: datetime) -> None:
        """A refresh published fresh data: the connection works."""
        self.update(lambda integration: integration.healthy().model_copy(update={"last_refresh_at": now}))

    def delete(self) -> None:
        """Remove the connection; a missing one is not an error."""
        self._table.delete(M365_ROW)


def iter_connections(clients: StorageClients) -> Iterator[tuple[str, M365Integration]]:
    """Every organisation's connection, as (org id, connection): one query across the fleet, for the
    fleet-wide jobs (the daily plan, capacity), never for a request of one organisation."""
    for org_id, row in scan_row(clients, TableName.INTEGRATIONS, M365_ROW, [DOCUMENT]):
        yield org_id, read_document(M365Integration, row)


INTEGRATIONS_OWNER = TableOwner.of_organisation_table(
    TableName.INTEGRATIONS,
    __name__,
    keeps="names no member and does not expire: the connection lasts until replaced or offboarded",
)
