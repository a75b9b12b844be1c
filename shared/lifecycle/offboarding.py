"""The steps of an organisation's offboarding: everything it owns, in every table, its container, the
secret store and the queues.

Every table's owner (`shared.lifecycle.owners`) says which rows are the organisation's. Order: sessions,
the login index and the Graph quota rows first (nobody can act for the organisation any more), then its
Key Vault secret and its container, then every other table's rows (members last). Then every queue and
its `-poison` twin is swept of messages that name the organisation, and whatever was written while the
job ran (the offboarding request's own audit row, a refused request's, a collection still in flight) is
swept once more. The organisation row goes at the very end,
so an interrupted job is still an organisation in `offboarding` (refused by the API) until it completes.
"""

from __future__ import annotations

from shared.integrations import secret_name_for
from shared.lifecycle.owners import OWNERS, owner_of
from shared.lifecycle.steps import Progress, Step, delete_owned_rows
from shared.ownership import TableOwner
from shared.services import Services
from shared.storage import NotFoundError, OrgContainer, QueueName, TableName, TenantContext
from shared.storage.queues import POISON_SUFFIX, sweep_queue

# Nobody can act for the organisation once its sessions and login index entries are gone; the quota rows
# are found through the integration, so they go before it.
_FIRST = (TableName.SESSIONS, TableName.IDENTITIES, TableName.QUOTAS)
_LAST = (TableName.MEMBERS,)
_KEPT = (TableName.ORGANISATIONS,)  # removed at the very end, by its own step
_ERASING = tuple(
    owner for owner in OWNERS if owner.organisation_rows is not None and owner.table not in _KEPT
)
_MIDDLE = tuple(owner for owner in _ERASING if owner.table not in _FIRST + _LAST)


def _rows_step(services: Services, tenant: TenantContext, owners: tuple[TableOwner, ...], kind: str) -> Step:
    def run(progress: Progress) -> None:
        delete_owned_rows(
            [
                rows
                for owner in owners
                if owner.organisation_rows
                for rows in owner.organisation_rows(services, tenant)
            ],
            kind,
            progress,
        )

    return Step(kind, run)


def _table_step(services: Services, tenant: TenantContext, table: TableName, kind: str | None = None) -> Step:
    return _rows_step(services, tenant, (owner_of(table),), kind or table.value)


def _secret_step(services: Services, tenant: TenantContext) -> Step:
    def run(progress: Progress) -> None:
        integration = services.org(tenant).integration.find()
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


def offboarding_steps(services: Services, tenant: TenantContext) -> list[Step]:
    return [
        *(_table_step(services, tenant, table) for table in _FIRST),
        _secret_step(services, tenant),
        _container_step(services, tenant, "blobs"),
        *(_rows_step(services, tenant, (owner,), owner.table.value) for owner in _MIDDLE),
        *(_table_step(services, tenant, table) for table in _LAST),
        _queues_step(services, tenant),
        _rows_step(services, tenant, _ERASING, "late_rows"),
        _container_step(services, tenant, "late_blobs"),
        _table_step(services, tenant, TableName.ORGANISATIONS, "organisation"),
    ]
