"""Organisation metadata for insights: licence prices, department → group mapping, inactivity threshold.

Each document is one row of `metadata`, its JSON split over as many 64 KiB string properties as it needs
(`split_text`); the row's 1 MiB limit bounds the whole document.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, Field, StringConstraints

from shared.members import plain_text
from shared.ownership import TableOwner
from shared.storage import NotFoundError, OrgTable, PageTokenSigner, StorageClients, TableName, TenantContext
from shared.storage.tables import join_text, split_text

InactivityDays = Literal[30, 60, 90]
DEFAULT_INACTIVITY_DAYS: InactivityDays = 30

# What an organisation may set (the README's size bounds). Microsoft Entra holds a user's department in at
# most 64 characters (https://learn.microsoft.com/en-us/graph/api/resources/user); a reporting group's name
# has the same bound. Prices are keyed by the SKU id, the GUID `skuId` of a subscribedSku
# (https://learn.microsoft.com/en-us/graph/api/resources/subscribedsku), as the insights look them up.
MAX_NAME_CHARS = 64
MAX_DEPARTMENTS = 5000
MAX_PRICED_SKUS = 1000
SKU_ID_PATTERN = r"^[0-9A-Fa-f]{8}-(?:[0-9A-Fa-f]{4}-){3}[0-9A-Fa-f]{12}$"

# Names as people see them: no control, bidi or zero-width characters.
GroupingName = Annotated[
    str, BeforeValidator(plain_text), StringConstraints(min_length=1, max_length=MAX_NAME_CHARS)
]
SkuId = Annotated[str, StringConstraints(pattern=SKU_ID_PATTERN, to_lower=True)]
_DOCUMENT = "document"


class Price(BaseModel):
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    monthly: float = Field(ge=0, le=100_000)


class Prices(BaseModel):
    """Monthly price per SKU id."""

    prices: dict[str, Price] = Field(default_factory=dict, max_length=MAX_PRICED_SKUS)


class Groups(BaseModel):
    """Maps a department (as in Entra) to a reporting group; unmapped departments are their own group."""

    departments: dict[str, str] = Field(default_factory=dict, max_length=MAX_DEPARTMENTS)
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
        return join_text(_DOCUMENT, entity.properties), entity.etag

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
        properties = split_text(_DOCUMENT, document.model_dump_json())
        if etag:
            return self._table.update(row, properties, etag=etag)
        return self._table.upsert(row, properties)

    def save_prices(self, prices: Prices, *, etag: str | None = None) -> str:
        return self._write(self._PRICES, prices, etag)

    def save_groups(self, groups: Groups, *, etag: str | None = None) -> str:
        return self._write(self._GROUPS, groups, etag)


METADATA_OWNER = TableOwner.of_organisation_table(
    TableName.METADATA,
    __name__,
    keeps="names no member; settings last as long as the organisation",
)
