"""Insight fixtures: storage on the session's Azurite and one organisation (with container) per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from shared.storage import OrgContainer, PageTokenSigner, StorageClients, TenantContext, ensure_storage


@pytest.fixture(scope="session")
def clients(storage_connection_string: str) -> Iterator[StorageClients]:
    with StorageClients.from_connection_string(storage_connection_string) as storage_clients:
        ensure_storage(storage_clients)
        yield storage_clients


@pytest.fixture(scope="session")
def tokens() -> PageTokenSigner:
    return PageTokenSigner(b"i" * 32)


@pytest.fixture
def org() -> TenantContext:
    return TenantContext.new_organisation()


@pytest.fixture
def container(clients: StorageClients, org: TenantContext) -> Iterator[OrgContainer]:
    box = OrgContainer(clients, org)
    box.create()
    yield box
    box.delete()
