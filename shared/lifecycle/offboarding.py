"""The steps of an organisation's offboarding: everything it owns, in every table and its container.

Order: sessions and the login index first (nobody can act for the organisation any more), then its
Key Vault secret and its container, then every partition it owns in every organisation-keyed table
(members last), and the organisation row at the very end, so an interrupted job is still visible as
an organisation in `offboarding` until it completes.
"""

from __future__ import annotations

from shared.integrations import IntegrationRepository, secret_name_for
from shared.lifecycle.scan import org_partitions, shared_rows
from shared.lifecycle.steps import Progress, Step, delete_rows
from shared.members import IDENTITY_ROW
from shared.organisations import OrganisationRepository
from shared.services import Services
from shared.storage import NotFoundError, OrgContainer, SharedTable, TableName, TenantContext

_FIRST, _LAST = TableName.SESSIONS, TableName.MEMBERS
ORG_TABLES = (
    _FIRST,
    *(table for table in TableName if table.org_partitioned and table not in {_FIRST, _LAST}),
    _LAST,
)


def _table_step(services: Services, tenant: TenantContext, table: TableName) -> Step:
    def run(progress: Progress) -> None:
        found = list(org_partitions(services.storage, tenant, table, services.tokens))
        progress.plan(table.value, sum(sum(1 for _ in p.query(select=["RowKey"])) for p in found))
        for partition in found:
            delete_rows(partition, (row.row_key for row in partition.query(select=["RowKey"])), progress)

    return Step(table.value, run)


def _identities_step(services: Services, tenant: TenantContext) -> Step:
    def run(progress: Progress) -> None:
        index = SharedTable(services.storage, TableName.IDENTITIES, tokens=services.tokens)
        keys = [
            row["PartitionKey"]
            for row in shared_rows(services.storage, TableName.IDENTITIES, {"org_id": tenant.org_id})
            if row["RowKey"] == IDENTITY_ROW
        ]
        progress.plan("identities", len(keys))
        for key in keys:
            index.partition(key).delete(IDENTITY_ROW)
            progress.deleted(1)

    return Step("identities", run)


def _secret_step(services: Services, tenant: TenantContext) -> Step:
    def run(progress: Progress) -> None:
        integration = IntegrationRepository(services.storage, tenant, services.tokens).get()
        named = {integration.secret_name} if integration is not None else set()
        progress.plan("secret", len(named))
        for name in sorted(named | {secret_name_for(tenant)}):
            services.secrets.delete(name)  # a missing secret is not an error
        progress.deleted(len(named))

    return Step("secret", run)


def _container_step(services: Services, tenant: TenantContext) -> Step:
    def run(progress: Progress) -> None:
        container = OrgContainer(services.storage, tenant)
        try:
            count = sum(1 for _ in container.list_blobs())
        except NotFoundError:
            count = 0
        progress.plan("blobs", count)
        container.delete()
        progress.deleted(count)

    return Step("blobs", run)


def _organisation_step(services: Services, tenant: TenantContext) -> Step:
    def run(progress: Progress) -> None:
        organisations = OrganisationRepository(services.storage, services.tokens)
        exists = organisations.find(tenant) is not None
        progress.plan("organisation", int(exists))
        organisations.delete(tenant)
        progress.deleted(int(exists))

    return Step("organisation", run)


def offboarding_steps(services: Services, tenant: TenantContext) -> list[Step]:
    return [
        _table_step(services, tenant, _FIRST),
        _identities_step(services, tenant),
        _secret_step(services, tenant),
        _container_step(services, tenant),
        *(_table_step(services, tenant, table) for table in ORG_TABLES[1:]),
        _organisation_step(services, tenant),
    ]
