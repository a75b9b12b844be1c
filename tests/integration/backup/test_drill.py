"""The disaster-recovery drill against Azurite: back up, break, restore, compare row for row; erasures
after the backup stay erased; a backup and a restore killed midway both resume without duplicates or gaps."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from azure.data.tables import UpdateMode

from shared.backup import BackupIncompleteError, run_backup
from shared.backup.manifest import BACKED_UP_TABLES, BACKUP_CONTAINER, Manifest, find_manifest
from shared.backup.restore import CheckpointFile, Scope, restore
from shared.lifecycle import request_member_erasure, request_offboarding, run_deletion
from shared.lifecycle.journal import DeletionJournal
from shared.lifecycle.receipts import ReceiptRepository
from shared.members import MemberRepository
from shared.messages import Deletion
from shared.services import Services
from shared.storage import OrgTable, QueueName, TableName
from tests.integration.backup.conftest import TableState, seed_world, state, table_rows
from tests.integration.lifecycle.conftest import org_footprint

BACKUP_ID = "2026-06-15"


class KilledError(Exception):
    """The process died here."""


def kill_after(rows: int):
    def hook(*args: object) -> None:
        if int(args[-1]) >= rows:  # type: ignore[call-overload]
            raise KilledError

    return hook


def take_backup(services: Services, **options: object) -> Manifest:
    return run_backup(services.storage, BACKUP_ID, clock=lambda: datetime.now(UTC), **options)  # type: ignore[arg-type]


def restore_into(
    live: Services, target: Services, checkpoint: Path, scope: Scope | None = None, **options: object
) -> None:
    restore(
        live.storage.container_client(BACKUP_CONTAINER),
        BACKUP_ID,
        target,
        list(DeletionJournal(live).entries()),
        scope=scope or Scope(),
        checkpoint=CheckpointFile(checkpoint, BACKUP_ID, scope or Scope()),
        **options,  # type: ignore[arg-type]
    )


def backed_up_keys(services: Services, manifest: Manifest) -> list[tuple[str, str, str]]:
    """Every (table, PartitionKey, RowKey) in the backup's parts, read back from the blobs."""
    container = services.storage.container_client(BACKUP_CONTAINER)
    keys = []
    for table, record in manifest.tables.items():
        for part in record.parts:
            data = container.download_blob(part.blob).readall()
            assert hashlib.sha256(data).hexdigest() == part.sha256
            keys += [
                (table, row["PartitionKey"], row["RowKey"])
                for row in map(json.loads, gzip.decompress(data).splitlines())
            ]
    return keys


def take_deletion(services: Services, request_id: str) -> Deletion:
    queue = services.storage.queue_client(QueueName.DELETION)
    for message in queue.receive_messages(messages_per_page=32, visibility_timeout=5):
        body = Deletion.model_validate_json(base64.b64decode(message.content))
        if body.request_id == request_id:
            queue.delete_message(message)
            return body
    raise AssertionError("no deletion was enqueued")


def test_restore_repairs_deleted_and_damaged_rows_row_for_row(
    live: Services, empty: Services, tmp_path: Path
) -> None:
    orgs = seed_world(live, live.secrets)
    before: TableState = state(live)
    manifest = take_backup(live, part_rows=5)

    assert manifest.rows == sum(len(rows) for rows in before.values())
    assert {name: record.rows for name, record in manifest.tables.items()} == {
        table.value: len(rows) for table, rows in before.items()
    }
    assert manifest.started_at <= manifest.finished_at
    assert TableName.DELETION_JOURNAL.value not in manifest.tables
    # The disaster: a member deleted, an audit month gone, a role and a session damaged.
    a = orgs[0].tenant
    people = orgs[0].people
    OrgTable(live.storage, a, TableName.MEMBERS, tokens=live.page_signer).delete(people[0].member_id)
    live.storage.table_client(TableName.MEMBERS).upsert_entity(
        {
            "PartitionKey": a.org_id,
            "RowKey": people[1].member_id,
            "role": "super_admin",
            "first_name": "Mallory",
        },
        mode=UpdateMode.MERGE,
    )
    for row in live.storage.table_client(TableName.AUDIT).list_entities():
        if row["PartitionKey"].startswith(a.org_id):
            live.storage.table_client(TableName.AUDIT).delete_entity(row["PartitionKey"], row["RowKey"])
    sessions = live.storage.table_client(TableName.SESSIONS)
    session = next(iter(sessions.list_entities()))
    sessions.upsert_entity({"PartitionKey": session["PartitionKey"], "RowKey": session["RowKey"], "junk": 1})
    assert state(live) != before

    restore_into(live, live, tmp_path / "live.json")
    restore_into(live, empty, tmp_path / "empty.json")

    assert state(live) == before
    assert state(empty) == before


def test_a_backup_without_a_manifest_is_not_restored(live: Services, tmp_path: Path) -> None:
    seed_world(live, live.secrets, organisations=1)
    with pytest.raises(KilledError):
        take_backup(live, part_rows=5, on_row=kill_after(20))

    assert find_manifest(live.storage.container_client(BACKUP_CONTAINER), BACKUP_ID) is None
    with pytest.raises(BackupIncompleteError):
        restore_into(live, live, tmp_path / "cp.json")


def test_a_killed_backup_resumes_without_duplicates_or_gaps(
    live: Services, empty: Services, tmp_path: Path
) -> None:
    seed_world(live, live.secrets)
    before = state(live)
    total = sum(len(rows) for rows in before.values())
    for kill_at in (7, 31, 64):  # mid-part, several tables in, and once more after resuming
        with pytest.raises(KilledError):
            take_backup(live, part_rows=4, on_row=kill_after(kill_at))

    manifest = take_backup(live, part_rows=4)

    keys = backed_up_keys(live, manifest)
    assert len(keys) == len(set(keys)) == total == manifest.rows
    expected = {
        (table.value, row["PartitionKey"], row["RowKey"]) for table, rows in before.items() for row in rows
    }
    assert set(keys) == expected
    assert take_backup(live, part_rows=4) == manifest  # complete: a later run leaves it as it is
    restore_into(live, empty, tmp_path / "cp.json")
    assert state(empty) == before


def test_a_killed_restore_resumes_from_its_checkpoint(
    live: Services, empty: Services, tmp_path: Path
) -> None:
    seed_world(live, live.secrets)
    before = state(live)
    manifest = take_backup(live, part_rows=4)
    checkpoint = tmp_path / "cp.json"
    reports: list[str] = []
    for kill_at in (10, 45):
        with pytest.raises(KilledError):
            restore_into(live, empty, checkpoint, on_row=kill_after(kill_at))
    done_before_resume = json.loads(checkpoint.read_text())["parts_done"]
    assert 0 < len(done_before_resume) < sum(len(t.parts) for t in manifest.tables.values())

    restore_into(live, empty, checkpoint, on_progress=lambda report: reports.append(report.line()))

    saved = json.loads(checkpoint.read_text())
    assert (
        len(saved["parts_done"])
        == len(set(saved["parts_done"]))
        == sum(len(t.parts) for t in manifest.tables.values())
    )
    assert saved["journal_replayed"] == 0
    assert state(empty) == before
    assert reports[-1].startswith("re-applying the deletion journal")
    assert any("rows (" in line and "rows/s" in line for line in reports)


def test_erasures_and_offboardings_after_the_backup_stay_gone(live: Services, tmp_path: Path) -> None:
    erased_org, offboarded, untouched = seed_world(live, live.secrets)
    take_backup(live)
    person = erased_org.people[0]
    erasure = request_member_erasure(live, erased_org.tenant, person.member_id, requested_by=person.member_id)
    run_deletion(live, take_deletion(live, erasure.request_id))
    offboarding = request_offboarding(live, offboarded.tenant, requested_by=offboarded.people[0].member_id)
    run_deletion(live, take_deletion(live, offboarding.request_id))
    after_deletions = state(live)
    untouched_rows = org_footprint(live.storage, untouched.tenant)

    restore_into(live, live, tmp_path / "cp.json")

    assert org_footprint(live.storage, offboarded.tenant) == {}
    assert MemberRepository(live.storage, erased_org.tenant, live.page_signer).find(person.member_id) is None
    everything = json.dumps({t.value: rows for t, rows in state(live).items()}, default=str)
    for value in (person.member_id, person.email, person.first_name, person.phone, person.identity_key):
        assert value not in everything
    assert state(live) == after_deletions  # what the backup held of them is erased again, the rest is back
    assert org_footprint(live.storage, untouched.tenant) == untouched_rows
    receipts = ReceiptRepository(live)
    assert receipts.find(erasure.request_id).state == "done"  # type: ignore[union-attr]
    assert receipts.find(offboarding.request_id).state == "done"  # type: ignore[union-attr]


def test_restoring_one_organisation_touches_no_other(live: Services, tmp_path: Path) -> None:
    a, b, _ = seed_world(live, live.secrets)
    before = state(live)
    take_backup(live, part_rows=3)
    members = live.storage.table_client(TableName.MEMBERS)
    for org in (a, b):
        members.delete_entity(org.tenant.org_id, org.people[0].member_id)
    identities = live.storage.table_client(TableName.IDENTITIES)
    identities.delete_entity(a.people[1].identity_key, "identity")

    restore_into(live, live, tmp_path / "cp.json", Scope(org_id=a.tenant.org_id))

    rows = {(row["PartitionKey"], row["RowKey"]) for row in table_rows(live, TableName.MEMBERS)}
    assert (a.tenant.org_id, a.people[0].member_id) in rows
    assert (b.tenant.org_id, b.people[0].member_id) not in rows
    assert table_rows(live, TableName.IDENTITIES) == before[TableName.IDENTITIES]


def test_restoring_one_table(live: Services, tmp_path: Path) -> None:
    orgs = seed_world(live, live.secrets, organisations=1)
    before = state(live)
    take_backup(live)
    tenant = orgs[0].tenant
    for table in (TableName.RUNS, TableName.MFA):
        client = live.storage.table_client(table)
        for row in list(client.list_entities()):
            client.delete_entity(row["PartitionKey"], row["RowKey"])

    restore_into(live, live, tmp_path / "cp.json", Scope(table=TableName.RUNS))

    assert table_rows(live, TableName.RUNS) == before[TableName.RUNS]
    assert table_rows(live, TableName.MFA) == []
    assert tenant.org_id in {row["PartitionKey"] for row in table_rows(live, TableName.RUNS)}
    assert set(BACKED_UP_TABLES) == set(before)
