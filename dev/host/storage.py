"""Storage connections: the host's connection-name lookup and one set of async clients per account.

Lookup (§1.6): `AzureWebJobs<name>` first, then `<name>`, each at the root and under
`ConnectionStrings:`. An empty name means `AzureWebJobsStorage`. `UseDevelopmentStorage=true` is
Azurite on its well-known ports.
"""

from __future__ import annotations

from collections.abc import Mapping

from azure.storage.blob.aio import BlobServiceClient
from azure.storage.queue.aio import QueueServiceClient

from dev.azurite import AzuritePorts, connection_string
from dev.host.config import HostConfigError

DEFAULT_CONNECTION = "AzureWebJobsStorage"


def resolve_connection_string(settings: Mapping[str, str], connection: str | None) -> str:
    name = connection or DEFAULT_CONNECTION
    candidates = [f"AzureWebJobs{name}", name]
    for key in candidates:
        for lookup in (key, f"ConnectionStrings:{key}"):
            value = settings.get(lookup, "").strip()
            if value:
                if value.replace(" ", "").lower().startswith("usedevelopmentstorage=true"):
                    return connection_string(AzuritePorts.default())
                return value
    raise HostConfigError(
        f"storage connection '{name}' is not set (looked for {', '.join(candidates)}); "
        "identity-based connections (<name>__queueServiceUri) are not supported by the local host"
    )


class StorageClients:
    """Queue and blob service clients per connection string, shared by every listener and binding.

    Queue clients use no message encoding: the host does base64 itself, so it can tell a message that
    fails to decode from one that decodes (the two are handled differently, see queues.py).
    """

    def __init__(self, settings: Mapping[str, str]) -> None:
        self._settings = settings
        self._queues: dict[str, QueueServiceClient] = {}
        self._blobs: dict[str, BlobServiceClient] = {}

    def queue_service(self, connection: str | None) -> QueueServiceClient:
        conn = resolve_connection_string(self._settings, connection)
        if conn not in self._queues:
            self._queues[conn] = QueueServiceClient.from_connection_string(conn)
        return self._queues[conn]

    def blob_service(self, connection: str | None) -> BlobServiceClient:
        conn = resolve_connection_string(self._settings, connection)
        if conn not in self._blobs:
            self._blobs[conn] = BlobServiceClient.from_connection_string(conn)
        return self._blobs[conn]

    async def close(self) -> None:
        for queue_client in self._queues.values():
            await queue_client.close()
        for blob_client in self._blobs.values():
            await blob_client.close()
        self._queues.clear()
        self._blobs.clear()
