"""Fixtures shared by every test: a private Azurite on free ports, in memory."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from dev.azurite import Azurite

# The app reads its settings once at import; tests run it with the safe local development settings.
TEST_SETTINGS = {
    "AzureWebJobsStorage": "UseDevelopmentStorage=true",
    "INSIGHT365_ENVIRONMENT": "development",
    "INSIGHT365_CORS_ORIGINS": "https://spa.example",
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
