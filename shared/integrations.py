"""The organisation's connection to its Microsoft 365 tenant (`integrations` table, row `m365`).

The client secret itself lives only in the secret store; this row names it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from shared.storage import NotFoundError, OrgTable, PageTokenSigner, StorageClients, TableName, TenantContext

M365_ROW = "m365"
IntegrationStatus = Literal["connected", "disconnected", "error"]


class M365Integration(BaseModel):
    tenant_id: str = Field(pattern=r"^[0-9a-fA-F-]{36}$")
    client_id: str = Field(pattern=r"^[0-9a-fA-F-]{36}$")
    secret_name: str
    status: IntegrationStatus = "connected"
    consented_scopes: list[str] = Field(default_factory=list)
    connected_at: datetime
    last_refresh_requested_at: datetime | None = None
    last_refresh_at: datetime | None = None
    etag: str = Field(default="", exclude=True)


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

    def delete(self) -> None:
        self._table.delete(M365_ROW)
