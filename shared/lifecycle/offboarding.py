"""The steps of an organisation's offboarding: everything it owns, in every table, its container, the
secret store and the queues.

Order: sessions and the login index first (nobody can act for the organisation any more), then its
Key Vault secret and its container, then every partition it owns in every organisation-keyed table
(members last). Then every queue and its `-poison` twin is swept of messages that name the organisation,
and whatever was written while the job ran (the offboarding request's own audit row, a refused
request's, a collection still in flight) is swept once more. The organisation row goes at the very end,
so an interrupted job is still an organisation in `offboarding` (refused by the API) until it completes.
"""

from __future__ import annotations

from shared.integrations import IntegrationRepository, secret_name_for
from shared.lifecycle.scan import org_partitions, shared_rows
from shared.lifecycle.steps import Progress, Step, delete_rows
from shared.members import IDENTITY_ROW
from shared.organisations import OrganisationRepository
from shared.services import Services
from shared.storage import NotFoundError, OrgContainer, QueueName, SharedTable, TableName, TenantContext
from shared.storage.queues import POISON_SUFFIX, sweep_queue

_FIRST, _LAST = TableName.SESSIONS, TableName.MEMBERS
ORG_TABLES = (
    _FIRST,
    *(table for table in TableName if table.org_partitioned and table not in {_FIRST, _LAST}),
    _LAST,
)


def _delete_tables(
    services: Services, tenant: TenantContext, tables: tuple[TableName, ...], kind: str
) -> Step:
    def run(progress: Progress) -> None:
        found = [
            partition
            for table in tables
            for partition in org_partitions(services.storage, tenant, table, services.tokens)
        ]
        progress.plan(kind, sum(sum(1 for _ in p.query(select=["RowKey"])) for p in found))
        for partition in found:
            delete_rows(partition, (row.row_key for row in partition.query(select=["RowKey"])), progress)

    return Step(kind, run)


def _table_step(services: Services, tenant: TenantContext, table: TableName) -> Step:
    return _delete_tables(services, tenant, (table,), table.value)


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


def _container_step(services: Services, tenant: TenantContext, kind: str) -> Step:
    def run(progress: Progress) -> None:
        container = OrgContainer(services.storage, tenant)
        try:
            count = sum(1 for _ in container.list_blobs())
        except NotFoundError:
            count = 0
        progress.plan(kind, count)
        container.delete()
        progress.deleted(count)

    return Step(kind, run)


def _queues_step(services: Services, tenant: TenantContext) -> Step:
    """Messages naming the organisation in every queue and poison queue (the running job's own message
    is in flight, invisible, and leaves with its successful completion)."""

    def run(progress: Progress) -> None:
        names = [name for queue in QueueName for name in (queue.value, queue.value + POISON_SUFFIX)]
        deleted = sum(sweep_queue(services.storage, name, tenant.org_id) for name in names)
        progress.plan("queue_messages", deleted)
        progress.deleted(deleted)

    return Step("queue_messages", run)


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
        _container_step(services, tenant, "blobs"),
        *(_table_step(services, tenant, table) for table in ORG_TABLES[1:]),
        _queues_step(services, tenant),
        _delete_tables(services, tenant, ORG_TABLES, "late_rows"),
        _container_step(services, tenant, "late_blobs"),
        _organisation_step(services, tenant),
    ]
