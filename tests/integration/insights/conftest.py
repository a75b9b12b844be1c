"""Insight fixtures: one organisation (with its container) per test, on the session's storage fixtures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from shared.storage import OrgContainer, StorageClients, TenantContext


@pytest.fixture
def org() -> TenantContext:
    return TenantContext.new_organisation()


@pytest.fixture
def container(clients: StorageClients, org: TenantContext) -> Iterator[OrgContainer]:
    box = OrgContainer(clients, org)
    box.create()
    yield box
    box.delete()
