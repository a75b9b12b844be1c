"""The backup drill's world: an account of its own (a backup reads every table, so no other test's rows
may be in it), an empty account to restore into, and organisations with a row in every table."""

from __future__ import annotations

import math
import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from azure.data.tables import EdmType, EntityProperty

from dev.azurite import Azurite
from shared.backup.manifest import BACKED_UP_TABLES
from shared.lifecycle.receipts import Receipt, ReceiptRepository
from shared.secrets import SecretStore
from shared.services import Services
from shared.settings import load_settings
from shared.storage import PageTokenSigner, StorageClients, TableName, ensure_storage
from tests.integration.lifecycle.conftest import NOW, SeededOrg, seed_organisation

TableState = dict[TableName, list[dict[str, Any]]]


def _services(connection_string: str, tokens: PageTokenSigner, folder: Path) -> Services:
    folder.mkdir(parents=True, exist_ok=True)
    environ = {
        **os.environ,
        "AzureWebJobsStorage": connection_string,
        "INSIGHT365_LOCAL_SECRETS_PATH": str(folder / "secrets.json"),
    }
    storage = StorageClients.from_connection_string(connection_string)
    ensure_storage(storage)
    return Services(settings=load_settings(environ), storage=storage, page_signer=tokens, clock=lambda: NOW)


@pytest.fixture(scope="package")
def accounts() -> Iterator[tuple[Azurite, Azurite]]:
    with Azurite() as first, Azurite() as second:
        yield first, second


def _emptied(emulator: Azurite, tokens: PageTokenSigner, folder: Path) -> Services:
    """Services on the emulator after dropping every table and container an earlier test left."""
    with StorageClients.from_connection_string(emulator.connection_string) as storage:
        for table in storage.table.list_tables():
            storage.table.delete_table(table.name)
        for container in storage.blob.list_containers():
            storage.blob.delete_container(container.name)
    return _services(emulator.connection_string, tokens, folder)


@pytest.fixture
def live(accounts: tuple[Azurite, Azurite], tokens: PageTokenSigner, tmp_path: Path) -> Iterator[Services]:
    """The live account, empty at the start of each test: the tables, the backups, the deletion journal."""
    services = _emptied(accounts[0], tokens, tmp_path / "live")
    yield services
    services.storage.close()


@pytest.fixture
def empty(accounts: tuple[Azurite, Azurite], tokens: PageTokenSigner, tmp_path: Path) -> Iterator[Services]:
    """Another account with empty tables, where a backup can be restored to be looked at."""
    services = _emptied(accounts[1], tokens, tmp_path / "empty")
    yield services
    services.storage.close()


def seed_world(services: Services, secrets: SecretStore, organisations: int = 3) -> list[SeededOrg]:
    """Organisations with something in every organisation table, and a row in every shared one."""
    orgs = [seed_organisation(services, secrets) for _ in range(organisations)]
    request_id = uuid.uuid4().hex
    ReceiptRepository(services).create_if_absent(
        Receipt(request_id=request_id, state="done", subject="member", requested_at=NOW, completed_at=NOW)
    )
    services.storage.table_client(TableName.DELETION_REQUESTS).create_entity(
        {"PartitionKey": orgs[0].tenant.org_id, "RowKey": request_id, "subject": "member"}
    )
    # Every EDM type, including the ones JSON cannot hold as they are.
    services.storage.table_client(TableName.QUOTAS).create_entity(
        {
            "PartitionKey": "tenant-" + uuid.uuid4().hex,
            "RowKey": "reports",
            "tokens": 12.5,
            "huge": EntityProperty(2**40 + 1, EdmType.INT64),
            "small": 7,
            "blob": b"\x00\xffbinary",
            "id": uuid.uuid4(),
            "at": EntityProperty("2026-06-15T12:00:00.1234567Z", EdmType.DATETIME),
            "nan": float("nan"),
            "flag": True,
        }
    )
    # Tables the organisations' seed does not reach (newer features): a row of the first organisation's,
    # so that every table, whatever is added later, is in the drill.
    for table in BACKED_UP_TABLES:
        if not table_rows(services, table):
            key = orgs[0].tenant.org_id if table.org_partitioned else "drill"
            services.storage.table_client(table).create_entity(
                {"PartitionKey": key, "RowKey": "drill", "note": f"a row of {table.value}"}
            )
    return orgs


def _comparable(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return "NaN"  # NaN is not equal to itself
    if isinstance(value, datetime):  # all seven digits the service keeps
        return getattr(value, "tables_service_value", "") or value.astimezone(UTC).isoformat()
    return value


def table_rows(services: Services, table: TableName) -> list[dict[str, Any]]:
    """Every row of a table, with values that compare as the service stores them."""
    return [
        {name: _comparable(value) for name, value in entity.items()}
        for entity in services.storage.table_client(table).list_entities()
    ]


def state(services: Services) -> TableState:
    return {table: table_rows(services, table) for table in BACKED_UP_TABLES}
