"""`ensure_storage`: create every table and queue of the registry. Idempotent; run it at start-up.

Organisation containers are not created here: each is created with its organisation
(`provision_organisation`, at sign-up).
"""

from __future__ import annotations

from shared.storage.blobs import OrgContainer
from shared.storage.clients import StorageClients
from shared.storage.errors import translate_errors
from shared.storage.names import QueueName, TableName
from shared.storage.queues import QueueSender
from shared.storage.tenant import TenantContext


def ensure_storage(clients: StorageClients) -> None:
    for table in TableName:
        with translate_errors(f"create table {table.value}"):
            clients.table.create_table_if_not_exists(table.value)
    for queue in QueueName:
        QueueSender(clients, queue).create()


def provision_organisation(clients: StorageClients, tenant: TenantContext) -> None:
    """Create what a new organisation's data needs beside its rows: its container (idempotent)."""
    OrgContainer(clients, tenant).create()
