"""Storage-layer fixtures: a fresh organisation (and its container) per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from shared.storage import OrgContainer, StorageClients, TenantContext


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
