"""The organisation's connection to its Microsoft 365 tenant (`integrations` table, row `m365`).

The client secret itself lives only in the secret store; this row names it. `status` follows the latest
evidence: a failed connection test or a refresh that failed for a reason on the customer's side sets
`error` with `last_error` in plain words; a passed test or a published refresh sets `connected` again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from shared.graph.permissions import PermissionStatus
from shared.storage import (
    ConcurrencyError,
    NotFoundError,
    OrgTable,
    PageTokenSigner,
    StorageClients,
    TableName,
    TenantContext,
)

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

    def get(self) -> M365Integration | None:
        try:
            entity = self._table.get(M365_ROW)
        except NotFoundError:
            return None
        return M365Integration.model_validate_json(entity.properties["document"]).model_copy(
            update={"etag": entity.etag}
        )

    def save(self, integration: M365Integration) -> M365Integration:
        """Create or replace; with an ETag, only if nobody changed it since it was read."""
        properties = {"status": integration.status, "document": integration.model_dump_json()}
        if integration.etag:
            etag = self._table.update(M365_ROW, properties, etag=integration.etag)
        else:
            etag = self._table.upsert(M365_ROW, properties)
        return integration.model_copy(update={"etag": etag})

    def update(self, change: Callable[[M365Integration], M365Integration]) -> M365Integration | None:
        """Apply `change` to the newest version, again after a concurrent write; None without one."""
        for _ in range(_UPDATE_ATTEMPTS):
            integration = self.get()
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
        self._table.delete(M365_ROW)
