"""Retention against Azurite: exactly what is past each window goes, nothing else (clock at NOW)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from shared.lifecycle import run_retention, sweep_messages
from shared.messages import Retention
from shared.organisations import Organisation, OrganisationRepository, RetentionSettings
from shared.runs import RunRecord, RunRepository
from shared.storage import OrgContainer, OrgTable, TableName, TenantContext, compose_key
from tests.integration.lifecycle.conftest import NOW, audit_row, org_footprint

TODAY = NOW.date()


def _day(days_ago: int) -> str:
    return (TODAY - timedelta(days=days_ago)).isoformat()


def _organisation(services, retention: RetentionSettings | None = None) -> TenantContext:
    tenant = TenantContext.new_organisation()
    OrganisationRepository(services.storage, services.page_signer).create(
        Organisation(
            org_id=tenant.org_id, name="T", created_at=NOW, retention=retention or RetentionSettings()
        )
    )
    OrgContainer(services.storage, tenant).create()
    return tenant


def _run(services, tenant, days_ago: int, run_id: str, state: str, *, minutes: int = 0) -> None:
    as_of = TODAY - timedelta(days=days_ago)
    stamp = NOW - timedelta(days=days_ago) + timedelta(minutes=minutes)
    RunRepository(services.storage, tenant, services.page_signer).create_if_absent(
        RunRecord(
            run_id=run_id, as_of=as_of, trigger="schedule", state=state, created_at=stamp, updated_at=stamp
        )
    )
    insights = OrgTable(services.storage, tenant, TableName.INSIGHTS, tokens=services.page_signer)
    for item in ("summary", "sku-1"):
        insights.insert(compose_key("utilisation", as_of.isoformat(), run_id, item), {"value": 1})
    OrgContainer(services.storage, tenant).write_bytes(f"insights/{as_of}/{run_id}/reclaim.jsonl.gz", b"x")


def _pointer(services, tenant, row_key: str, days_ago: int, run_id: str) -> None:
    document = json.dumps({"run_id": run_id, "as_of": _day(days_ago)})
    OrgTable(services.storage, tenant, TableName.INSIGHTS, tokens=services.page_signer).insert(
        row_key, {"document": document}
    )


def _blobs(services, tenant) -> set[str]:
    return {blob.name for blob in OrgContainer(services.storage, tenant).list_blobs()}


def _rows(services, tenant, table: TableName) -> set[str]:
    return {
        row.row_key for row in OrgTable(services.storage, tenant, table, tokens=services.page_signer).query()
    }


def _seed(services, tenant) -> None:
    container = OrgContainer(services.storage, tenant)
    for days_ago in (31, 30, 1):
        for name in ("users.jsonl.gz", "manifest.json"):
            container.write_bytes(f"raw/{_day(days_ago)}/daily/{name}", b"x")
    _run(services, tenant, 401, "old", "published")
    _run(services, tenant, 400, "edge", "published")
    _run(services, tenant, 5, "first", "published")
    _run(services, tenant, 5, "second", "published", minutes=30)
    _run(services, tenant, 5, "failed", "failed", minutes=40)
    _run(services, tenant, 5, "running", "computing", minutes=50)
    _run(services, tenant, 3, "early", "published")
    _run(services, tenant, 3, "late", "published", minutes=10)  # no pointer: the latest published wins
    _pointer(services, tenant, compose_key("day", _day(401)), 401, "old")
    _pointer(services, tenant, compose_key("day", _day(400)), 400, "edge")
    _pointer(services, tenant, compose_key("day", _day(5)), 5, "second")
    _pointer(services, tenant, "current", 5, "second")
    cutoff = datetime.combine(TODAY - timedelta(days=730), datetime.min.time(), UTC)
    for at in (
        cutoff - timedelta(days=40),  # a whole month before the boundary month
        cutoff - timedelta(seconds=1),  # boundary month, older
        cutoff,  # boundary month, exactly on the cutoff: kept
        cutoff + timedelta(days=3),
        NOW,
    ):
        audit_row(services, tenant, at, "a" * 32, "organisation")
    sessions = OrgTable(services.storage, tenant, TableName.SESSIONS, tokens=services.page_signer)
    for key, idle, absolute, revoked in (
        ("live", 10, 300, False),
        ("idle", -1, 300, False),
        ("absolute", 10, -1, False),
        ("revoked", 10, 300, True),
    ):
        sessions.insert(
            key,
            {
                "member_id": "a" * 32,
                "idle_expires_at": (NOW + timedelta(minutes=idle)).isoformat(),
                "absolute_expires_at": (NOW + timedelta(minutes=absolute)).isoformat(),
                "revoked": revoked,
            },
        )
    invitations = OrgTable(services.storage, tenant, TableName.INVITATIONS, tokens=services.page_signer)
    for key, days in (("expired", -1), ("pending", 1)):
        document = {
            "email": f"{key}@example.test",
            "role": "user",
            "first_name": "F",
            "last_name": "L",
            "invited_by": "a" * 32,
            "created_at": (NOW - timedelta(days=6)).isoformat(),
            "expires_at": (NOW + timedelta(days=days)).isoformat(),
        }
        invitations.insert(key, {"document": json.dumps(document)})


def test_retention_removes_exactly_what_is_past_each_window(services) -> None:
    tenant, bystander = _organisation(services), _organisation(services)
    _seed(services, tenant)
    _seed(services, bystander)
    bystander_before = org_footprint(services.storage, bystander)

    removed = run_retention(services, Retention(org_id=tenant.org_id, requested_on=TODAY))

    assert _blobs(services, tenant) == {
        *(f"raw/{_day(d)}/daily/{n}" for d in (30, 1) for n in ("users.jsonl.gz", "manifest.json")),
        *(
            f"insights/{_day(d)}/{run}/reclaim.jsonl.gz"
            for d, run in ((400, "edge"), (5, "second"), (5, "running"), (3, "late"))
        ),
    }
    insight_rows = _rows(services, tenant, TableName.INSIGHTS)
    runs_with_rows = {tuple(key.split("|")[1:3]) for key in insight_rows if key.count("|") == 3}
    assert runs_with_rows == {
        (_day(400), "edge"),
        (_day(5), "second"),
        (_day(5), "running"),
        (_day(3), "late"),
    }
    assert insight_rows - {key for key in insight_rows if key.count("|") == 3} == {
        "current",
        f"day|{_day(400)}",
        f"day|{_day(5)}",
    }
    # Run history: only the run past the window goes; superseded runs keep their record.
    assert _rows(services, tenant, TableName.RUNS) == {
        "edge",
        "first",
        "second",
        "failed",
        "running",
        "early",
        "late",
    }
    audit_times = sorted(
        row["at"]
        for row in services.storage.table_client(TableName.AUDIT).query_entities(
            "PartitionKey ge @low and PartitionKey lt @high",
            parameters={"low": tenant.org_id, "high": tenant.org_id + "}"},
        )
    )
    cutoff = datetime.combine(TODAY - timedelta(days=730), datetime.min.time(), UTC)
    assert audit_times == [cutoff.isoformat(), (cutoff + timedelta(days=3)).isoformat(), NOW.isoformat()]
    assert _rows(services, tenant, TableName.SESSIONS) == {"live"}
    assert _rows(services, tenant, TableName.INVITATIONS) == {"pending"}
    assert removed == {
        "raw_blobs": 2,
        "insight_rows": 8,
        "insight_blobs": 4,
        "insight_pointers": 1,
        "runs": 1,
        "audit_rows": 2,
        "sessions": 3,
        "invitations": 1,
    }
    assert org_footprint(services.storage, bystander) == bystander_before
    again = run_retention(services, Retention(org_id=tenant.org_id, requested_on=TODAY))
    assert set(again.values()) == {0}


def test_an_organisation_may_shorten_its_periods(services) -> None:
    tenant = _organisation(services, RetentionSettings(raw_days=7, insights_days=30, audit_days=365))
    _seed(services, tenant)
    run_retention(services, Retention(org_id=tenant.org_id, requested_on=TODAY))
    assert {name.split("/")[1] for name in _blobs(services, tenant) if name.startswith("raw/")} == {_day(1)}
    assert _rows(services, tenant, TableName.RUNS) == {
        "first",
        "second",
        "failed",
        "running",
        "early",
        "late",
    }


def test_the_sweep_enqueues_one_job_per_active_organisation(services) -> None:
    active = _organisation(services)
    leaving = _organisation(services)
    organisations = OrganisationRepository(services.storage, services.page_signer)
    organisations.save(organisations.get(leaving).model_copy(update={"status": "offboarding"}))
    messages = sweep_messages(services)
    org_ids = [message.org_id for message in messages]
    assert org_ids.count(active.org_id) == 1 and leaving.org_id not in org_ids
    assert {message.requested_on for message in messages} == {TODAY}
    assert run_retention(services, Retention(org_id=leaving.org_id, requested_on=TODAY)) == {}
