"""The table backup and its restore for one large organisation: rows/s and peak RSS of each.

An organisation's tables do not grow with its Microsoft 365 accounts (those live in blobs, under the
blob backup): they grow with its audit log and its members. "100k accounts' worth" is taken as 100,000
rows in one organisation's partitions, ~0.6 KB each: 90,000 audit rows over twelve months, 5,000 members
and 5,000 sessions. Seeded on an Azurite of its own (not timed), then `python -m bench.backup backup` and
`restore` each run in a measured child process (restore into a second, empty Azurite).
"""

from __future__ import annotations

import base64
import json
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.common import TOKENS, measure_child, new_organisation
from dev.azurite import Azurite
from shared.backup import run_backup
from shared.backup.manifest import BACKUP_CONTAINER
from shared.backup.restore import CheckpointFile, Scope, restore
from shared.services import Services
from shared.settings import load_settings
from shared.storage import StorageClients, TableName, ensure_storage

BACKUP_ID = "2026-01-01"
ROWS = {TableName.AUDIT: 90_000, TableName.MEMBERS: 5_000, TableName.SESSIONS: 5_000}
_PAD = "x" * 400  # detail text: rows of ~0.6 KB, like the audit log's


def _seed(clients: StorageClients, org_id: str) -> int:
    written = 0
    for table, count in ROWS.items():
        client = clients.table_client(table)
        partitions = 12 if table is TableName.AUDIT else 1
        for partition in range(partitions):
            key = f"{org_id}|2025{partition + 1:02d}" if table is TableName.AUDIT else org_id
            rows = [
                {
                    "PartitionKey": key,
                    "RowKey": f"{index:08d}|{uuid.uuid4().hex}",
                    "action": "members.update",
                    "actor_member_id": uuid.uuid4().hex,
                    "detail": _PAD,
                    "status": 200,
                }
                for index in range(count // partitions)
            ]
            for start in range(0, len(rows), 100):
                client.submit_transaction([("create", row) for row in rows[start : start + 100]])
            written += len(rows)
    return written


def _services(connection: str) -> Services:
    settings = load_settings(
        {
            "AzureWebJobsStorage": connection,
            "INSIGHT365_ENVIRONMENT": "development",
            "INSIGHT365_PAGE_TOKEN_KEY": base64.b64encode(
                b"bench-only-page-token-key-0123456789abcdef"
            ).decode(),
            "INSIGHT365_SECRET_STORE": "local",
            "INSIGHT365_LOCAL_SECRETS_PATH": str(Path(tempfile.gettempdir()) / "bench-backup-secrets.json"),
        }
    )
    return Services(
        settings=settings, storage=StorageClients.from_connection_string(connection), page_signer=TOKENS
    )


def measure() -> dict[str, Any]:
    """Seed, then back up and restore in measured children; rows/s and peak RSS for each."""
    with Azurite() as source, Azurite() as target:
        with StorageClients.from_connection_string(source.connection_string) as clients:
            ensure_storage(clients)
            rows = _seed(clients, new_organisation(clients, "Bench backup").org_id)
        backup = measure_child("bench.backup", "backup", source.connection_string)
        restored = measure_child(
            "bench.backup", "restore", source.connection_string, target.connection_string
        )
    return {
        "rows": rows,
        "backup": backup | {"rows_per_second": backup["rows"] / backup["seconds"]},
        "restore": restored | {"rows_per_second": restored["rows"] / restored["seconds"]},
    }


def describe(measured: dict[str, Any]) -> str:
    backup, restored = measured["backup"], measured["restore"]
    return (
        f"Table backup of one organisation, {measured['rows']:,} rows: backup {backup['seconds']:.1f} s "
        f"({backup['rows_per_second']:,.0f} rows/s, {backup['bytes'] / 1e6:.1f} MB gzip, peak RSS "
        f"{backup['peak_rss_mib']:.0f} MiB); restore into an empty account {restored['seconds']:.1f} s "
        f"({restored['rows_per_second']:,.0f} rows/s, peak RSS {restored['peak_rss_mib']:.0f} MiB)"
    )


def _child(command: str, source: str, target: str | None) -> dict[str, Any]:
    started = time.perf_counter()
    if command == "backup":
        with StorageClients.from_connection_string(source) as clients:
            manifest = run_backup(clients, BACKUP_ID, clock=lambda: datetime.now(UTC))
        sizes = sum(part.bytes for table in manifest.tables.values() for part in table.parts)
        return {"seconds": time.perf_counter() - started, "rows": manifest.rows, "bytes": sizes}
    assert target is not None
    live, into = _services(source), _services(target)
    ensure_storage(into.storage)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        state = restore(
            live.storage.container_client(BACKUP_CONTAINER),
            BACKUP_ID,
            into,
            [],
            scope=Scope(),
            checkpoint=CheckpointFile(Path(folder) / "checkpoint.json", BACKUP_ID, Scope()),
        )
    return {"seconds": time.perf_counter() - started, "rows": state.rows}


if __name__ == "__main__":
    print(json.dumps(_child(sys.argv[1], sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None)))
