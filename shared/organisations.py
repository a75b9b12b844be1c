"""Organisations: the customer accounts of Insight365 (one row each in the shared `organisations` table)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from shared.ownership import Rows, TableOwner
from shared.services import Services
from shared.storage import (
    NotFoundError,
    PageTokenSigner,
    SharedTable,
    StorageClients,
    TableName,
    TenantContext,
)
from shared.storage.documents import document_of, read_document

ORGANISATIONS_PARTITION = "org"
OrganisationStatus = Literal["active", "offboarding"]


class RetentionSettings(BaseModel):
    """Days each kind of data is kept; an organisation may shorten these, never lengthen past the maximum."""

    raw_days: int = Field(default=30, ge=1, le=30)
    insights_days: int = Field(default=400, ge=30, le=400)
    audit_days: int = Field(default=730, ge=365, le=730)


class Organisation(BaseModel):
    org_id: str
    name: str = Field(min_length=1, max_length=200)
    status: OrganisationStatus = "active"
    created_at: datetime
    retention: RetentionSettings = Field(default_factory=RetentionSettings)
    etag: str = Field(default="", exclude=True)

    @property
    def tenant(self) -> TenantContext:
        return TenantContext(self.org_id)


def organisation_is_active(clients: StorageClients, tenant: TenantContext, tokens: PageTokenSigner) -> bool:
    """Whether the organisation exists and is `active`: one point read of one column (the status is
    written beside the document on every save), for the authenticator to ask on every request."""
    partition = SharedTable(clients, TableName.ORGANISATIONS, tokens=tokens).partition(
        ORGANISATIONS_PARTITION
    )
    try:
        entity = partition.get(tenant.org_id, select=["RowKey", "status"])
    except NotFoundError:
        return False
    return entity.properties.get("status") == "active"


class OrganisationRepository:
    def __init__(self, clients: StorageClients, tokens: PageTokenSigner) -> None:
        self._partition = SharedTable(clients, TableName.ORGANISATIONS, tokens=tokens).partition(
            ORGANISATIONS_PARTITION
        )

    @staticmethod
    def _properties(organisation: Organisation) -> dict[str, object]:
        return {"status": organisation.status, **document_of(organisation)}

    def create(self, organisation: Organisation) -> Organisation:
        etag = self._partition.insert(organisation.org_id, self._properties(organisation))
        return organisation.model_copy(update={"etag": etag})

    def get(self, tenant: TenantContext) -> Organisation:
        """The organisation of this tenant context, or `NotFoundError`."""
        entity = self._partition.get(tenant.org_id)
        return read_document(Organisation, entity.properties, etag=entity.etag)

    def find(self, tenant: TenantContext) -> Organisation | None:
        try:
            return self.get(tenant)
        except NotFoundError:
            return None

    def save(self, organisation: Organisation) -> Organisation:
        etag = self._partition.update(
            organisation.org_id, self._properties(organisation), etag=organisation.etag
        )
        return organisation.model_copy(update={"etag": etag})

    def delete(self, tenant: TenantContext) -> None:
        self._partition.delete(tenant.org_id)

    def iter_all(self) -> Iterator[Organisation]:
        for entity in self._partition.query():
            yield read_document(Organisation, entity.properties, etag=entity.etag)

    def list_active(self) -> Iterator[Organisation]:
        return (organisation for organisation in self.iter_all() if organisation.status == "active")


def _organisation_row(services: Services, tenant: TenantContext) -> list[Rows]:
    organisations = OrganisationRepository(services.storage, services.page_signer)
    return [Rows(organisations._partition, [tenant.org_id] if organisations.find(tenant) else [])]


# Offboarding removes this row last: until then the organisation is `offboarding`, refused by the API.
ORGANISATIONS_OWNER = TableOwner(
    table=TableName.ORGANISATIONS,
    module=__name__,
    organisation_rows=_organisation_row,
    keeps="names no member; the organisation's row lasts as long as the organisation",
    row_of_organisation=lambda row, org_id: row["RowKey"] == org_id,
)
