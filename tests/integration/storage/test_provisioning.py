"""ensure_storage against Azurite: every registered table and queue exists; running it again is harmless."""

from __future__ import annotations

from shared.storage import QueueName, StorageClients, TableName, ensure_storage


def test_ensure_storage_creates_every_table_and_queue_idempotently(clients: StorageClients) -> None:
    clients.table.delete_table(TableName.RECEIPTS.value)
    clients.queue.delete_queue(QueueName.RETENTION.value)
    ensure_storage(clients)
    ensure_storage(clients)
    tables = {table.name for table in clients.table.list_tables()}
    queues = {queue.name for queue in clients.queue.list_queues()}
    assert {table.value for table in TableName} <= tables
    assert {queue.value for queue in QueueName} <= queues
