"""Organisation metadata for insights: licence prices, department → group mapping, inactivity threshold."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from shared.storage import NotFoundError, OrgTable, PageTokenSigner, StorageClients, TableName, TenantContext

InactivityDays = Literal[30, 60, 90]
DEFAULT_INACTIVITY_DAYS: InactivityDays = 30


class Price(BaseModel):
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    monthly: float = Field(ge=0, le=100_000)


class Prices(BaseModel):
    """Monthly price per SKU id."""

    prices: dict[str, Price] = Field(default_factory=dict, max_length=1000)


class Groups(BaseModel):
    """Maps a department (as in Entra) to a reporting group; unmapped departments are their own group."""

    departments: dict[str, str] = Field(default_factory=dict, max_length=5000)
    inactivity_days: InactivityDays = DEFAULT_INACTIVITY_DAYS


class MetadataRepository:
    _PRICES = "prices"
    _GROUPS = "groups"

    def __init__(self, clients: StorageClients, tenant: TenantContext, tokens: PageTokenSigner) -> None:
        self._table = OrgTable(clients, tenant, TableName.METADATA, tokens=tokens)

    def _read(self, row: str) -> tuple[str, str] | None:
        try:
            entity = self._table.get(row)
        except NotFoundError:
            return None
        return entity.properties["document"], entity.etag

    def prices_with_etag(self) -> tuple[Prices, str]:
        found = self._read(self._PRICES)
        return (Prices.model_validate_json(found[0]), found[1]) if found else (Prices(), "")

    def groups_with_etag(self) -> tuple[Groups, str]:
        found = self._read(self._GROUPS)
        return (Groups.model_validate_json(found[0]), found[1]) if found else (Groups(), "")

    def prices(self) -> dict[str, Price]:
        return self.prices_with_etag()[0].prices

    def groups(self) -> dict[str, str]:
        return self.groups_with_etag()[0].departments

    def inactivity_threshold_days(self) -> int:
        return self.groups_with_etag()[0].inactivity_days

    def _write(self, row: str, document: BaseModel, etag: str | None) -> str:
        properties = {"document": document.model_dump_json()}
        if etag:
            return self._table.update(row, properties, etag=etag)
        return self._table.upsert(row, properties)

    def save_prices(self, prices: Prices, *, etag: str | None = None) -> str:
        return self._write(self._PRICES, prices, etag)

    def save_groups(self, groups: Groups, *, etag: str | None = None) -> str:
        return self._write(self._GROUPS, groups, etag)
