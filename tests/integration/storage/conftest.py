"""Storage-layer fixtures: shared clients on the session's Azurite, and a fresh organisation per test."""

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
    return PageTokenSigner(b"k" * 32)


@pytest.fixture
def org_a() -> TenantContext:
    # A fresh organisation per test keeps tests apart on the shared tables.
    return TenantContext.new_organisation()


@pytest.fixture
def org_b() -> TenantContext:
    return TenantContext.new_organisation()


@pytest.fixture
def container_a(clients: StorageClients, org_a: TenantContext) -> Iterator[OrgContainer]:
    container = OrgContainer(clients, org_a)
    container.create()
    yield container
    container.delete()


@pytest.fixture
def container_b(clients: StorageClients, org_b: TenantContext) -> Iterator[OrgContainer]:
    container = OrgContainer(clients, org_b)
    container.create()
    yield container
    container.delete()
