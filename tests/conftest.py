"""Fixtures shared by every test: a private Azurite on free ports, in memory."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from dev.azurite import Azurite
from shared.storage import PageTokenSigner, StorageClients, ensure_storage

# The app reads its settings once at import; tests run it with the safe local development settings.
TEST_SETTINGS = {
    "AzureWebJobsStorage": "UseDevelopmentStorage=true",
    "INSIGHT365_ENVIRONMENT": "development",
    "INSIGHT365_CORS_ORIGINS": "https://spa.example",
    "INSIGHT365_PAGE_TOKEN_KEY": "dGVzdC1vbmx5LXBhZ2UtdG9rZW4ta2V5LTAxMjM0NTY3ODkwMTIzNDU2Nzg5",
    "INSIGHT365_SECRET_STORE": "local",
    "INSIGHT365_OIDC_AUDIENCE": "api://insight365-local",
    # Timer schedules are %setting% references the local host must resolve.
    "INSIGHT365_REFRESH_SCHEDULE": "0 0 2 * * *",
    "INSIGHT365_RETENTION_SCHEDULE": "0 30 3 * * *",
    # Tests take table backups themselves; the timer never fires on its own (midnight, 1 January).
    "INSIGHT365_BACKUP_SCHEDULE": "0 0 0 1 1 *",
}
os.environ.update(TEST_SETTINGS)


@pytest.fixture(scope="session")
def azurite() -> Iterator[Azurite]:
    """One Azurite per test session; tests isolate themselves with unique queue/table/container names."""
    with Azurite() as emulator:
        yield emulator


@pytest.fixture(scope="session")
def storage_connection_string(azurite: Azurite) -> str:
    return azurite.connection_string


@pytest.fixture(scope="session")
def clients(storage_connection_string: str) -> Iterator[StorageClients]:
    """Storage clients on the session's Azurite, with every table and queue created."""
    with StorageClients.from_connection_string(storage_connection_string) as storage_clients:
        ensure_storage(storage_clients)
        yield storage_clients


@pytest.fixture(scope="session")
def tokens() -> PageTokenSigner:
    return PageTokenSigner(b"k" * 32)
