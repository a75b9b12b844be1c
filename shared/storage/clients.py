"""`StorageClients`: the one place that builds Azure Storage SDK clients.

Build it once per process (module scope in the Function App) and share it: the SDK clients keep HTTP
connection pools, and per-table/container/queue clients derived from the service clients reuse them.
Two ways in: a connection string (Azurite and local development) or an account name with an Entra ID
credential (production, identity-based: no account keys).
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

from azure.core.credentials import TokenCredential
from azure.core.credentials_async import AsyncTokenCredential
from azure.data.tables import TableClient, TableServiceClient
from azure.identity import DefaultAzureCredential
from azure.identity.aio import DefaultAzureCredential as AsyncDefaultAzureCredential
from azure.storage.blob import BlobServiceClient, ContainerClient
from azure.storage.blob.aio import BlobServiceClient as AsyncBlobServiceClient
from azure.storage.queue import QueueClient, QueueServiceClient, TextBase64EncodePolicy

from shared.storage.errors import translate_errors
from shared.storage.names import QueueName, TableName

# Downloads stream in chunks of this size. The SDK's default first request fetches up to 32 MiB at once, and
# the HTTP stack transiently holds about 9 copies of the chunk being read (measured with tracemalloc), so a
# 1 MiB chunk keeps a streaming reader near 10 MB however large the blob.
DOWNLOAD_CHUNK_BYTES = 1024 * 1024
_DOWNLOAD_OPTIONS: dict[str, Any] = {
    "max_single_get_size": DOWNLOAD_CHUNK_BYTES,
    "max_chunk_get_size": DOWNLOAD_CHUNK_BYTES,
}


@dataclass(frozen=True, slots=True)
class _AccountEndpoints:
    blob: str
    queue: str
    table: str

    @classmethod
    def public_cloud(cls, account_name: str) -> _AccountEndpoints:
        return cls(
            blob=f"https://{account_name}.blob.core.windows.net",
            queue=f"https://{account_name}.queue.core.windows.net",
            table=f"https://{account_name}.table.core.windows.net",
        )


class StorageClients:
    """Shared blob, queue and table service clients for one storage account. Thread-safe."""

    def __init__(
        self,
        *,
        blob: BlobServiceClient,
        queue: QueueServiceClient,
        table: TableServiceClient,
        async_blob: Callable[[], AbstractAsyncContextManager[AsyncBlobServiceClient]],
    ) -> None:
        self.blob = blob
        self.queue = queue
        self.table = table
        self._async_blob = async_blob
        self._lock = threading.Lock()
        self._tables: dict[TableName, TableClient] = {}
        self._queues: dict[QueueName, QueueClient] = {}

    @classmethod
    def from_connection_string(cls, connection_string: str) -> StorageClients:
        return cls(
            blob=BlobServiceClient.from_connection_string(connection_string, **_DOWNLOAD_OPTIONS),
            queue=QueueServiceClient.from_connection_string(connection_string),
            table=TableServiceClient.from_connection_string(connection_string),
            async_blob=lambda: AsyncBlobServiceClient.from_connection_string(
                connection_string, **_DOWNLOAD_OPTIONS
            ),
        )

    @classmethod
    def from_account(
        cls,
        account_name: str,
        credential: TokenCredential | None = None,
        async_credential: AsyncTokenCredential | None = None,
    ) -> StorageClients:
        """Identity-based access. Credentials default to `DefaultAzureCredential` (managed identity)."""
        endpoints = _AccountEndpoints.public_cloud(account_name)
        credential = credential or DefaultAzureCredential()

        @asynccontextmanager
        async def async_blob() -> AsyncIterator[AsyncBlobServiceClient]:
            async with AsyncExitStack() as stack:
                token_credential = async_credential or await stack.enter_async_context(
                    AsyncDefaultAzureCredential()
                )
                yield await stack.enter_async_context(
                    AsyncBlobServiceClient(endpoints.blob, credential=token_credential, **_DOWNLOAD_OPTIONS)
                )

        return cls(
            blob=BlobServiceClient(endpoints.blob, credential=credential, **_DOWNLOAD_OPTIONS),
            queue=QueueServiceClient(endpoints.queue, credential=credential),
            table=TableServiceClient(endpoints.table, credential=credential),
            async_blob=async_blob,
        )

    def table_client(self, table: TableName) -> TableClient:
        """The table's client; the table is created the first time this process uses it (idempotent)."""
        with self._lock:
            client = self._tables.get(table)
            if client is None:
                with translate_errors(f"create table {table.value}"):
                    self.table.create_table_if_not_exists(table.value)
                client = self._tables[table] = self.table.get_table_client(table.value)
            return client

    def queue_client(self, queue: QueueName) -> QueueClient:
        """A client that base64-encodes message text, as the Functions queue trigger expects by default."""
        with self._lock:
            client = self._queues.get(queue)
            if client is None:
                client = self._queues[queue] = self.queue.get_queue_client(
                    queue.value, message_encode_policy=TextBase64EncodePolicy()
                )
            return client

    def container_client(self, container: str) -> ContainerClient:
        return self.blob.get_container_client(container)

    def async_blob_service(self) -> AbstractAsyncContextManager[AsyncBlobServiceClient]:
        """An async blob service client for async code (e.g. Graph collection): `async with` it.

        Async clients need their own aiohttp transport, so they are built per use rather than shared.
        """
        return self._async_blob()

    def close(self) -> None:
        self.blob.close()
        self.queue.close()
        self.table.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
