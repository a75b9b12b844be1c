"""Pure lifecycle rules: audit scrubbing, which insight runs go, keyed ids, bad queue messages."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import azure.functions as func
import pytest

from functions.lifecycle import deletion_job, retention_job
from shared.insights.store import kept_runs, parse_insight_row_key, runs_to_remove
from shared.lifecycle.erasure import personal_values, scrub_row
from shared.lifecycle.keys import LifecycleKeys
from shared.members import Member
from shared.messages import InvalidMessageError
from shared.runs import RunRecord
from shared.storage import TenantContext, compose_key

MEMBER_ID = "0" * 31 + "1"
MEMBER = Member(
    member_id=MEMBER_ID,
    first_name="Ann",
    last_name="Lee",
    email="ann.lee@example.test",
    phone="+44 20 7946 0000",
    role="user",
    created_at=datetime(2026, 1, 1, tzinfo=UTC),
)


def test_scrubbing_replaces_the_member_and_blanks_their_values() -> None:
    values = personal_values(MEMBER)
    row = {
        "actor_member_id": MEMBER_ID,
        "target": f"members/{MEMBER_ID}",
        "detail": "Invited ANN.LEE@example.test (Ann Lee, +44 20 7946 0000); Annual review",
        "client_address": "203.0.113.7",
        "status": 200,
    }
    assert scrub_row(row, MEMBER_ID, "erased-abc", values) == {
        "actor_member_id": "erased-abc",
        "target": "members/erased-abc",
        "detail": "Invited [erased] ([erased] [erased], [erased]); Annual review",
        "client_address": "",
    }
    other = {"actor_member_id": "f" * 32, "target": "organisation", "client_address": "198.51.100.1"}
    assert scrub_row(other, MEMBER_ID, "erased-abc", values) == {}


def _record(run_id: str, day: date, state: str, minute: int) -> RunRecord:
    stamp = datetime(2026, 1, 1, 0, minute, tzinfo=UTC)
    return RunRecord(
        run_id=run_id, as_of=day, trigger="schedule", state=state, created_at=stamp, updated_at=stamp
    )


def test_superseded_and_expired_runs_go_and_running_ones_stay() -> None:
    old, day = date(2025, 1, 1), date(2026, 1, 1)
    records = [
        _record("a", day, "published", 1),
        _record("b", day, "published", 2),
        _record("c", day, "computing", 3),
        _record("d", day, "failed", 4),
        _record("z", old, "published", 1),
    ]
    kept = kept_runs([], records)
    assert kept == {day: "b", old: "z"}
    assert kept_runs([(day, "a")], records)[day] == "a"  # a pointer wins over recency
    runs = {(day, "a"), (day, "b"), (day, "c"), (day, "d"), (old, "z"), (day, "orphan")}
    states = {record.run_id: record.state for record in records}
    assert runs_to_remove(runs, kept, states, date(2025, 6, 1)) == {
        (day, "a"),
        (day, "d"),
        (day, "orphan"),
        (old, "z"),
    }


def test_insight_row_keys_are_read_as_pointers_runs_or_left_alone() -> None:
    day = date(2026, 1, 1)
    current = parse_insight_row_key("current")
    assert current is not None and current.run is None
    pointer = parse_insight_row_key(compose_key("day", "2026-01-01"))
    assert pointer is not None and pointer.as_of == day and pointer.run is None
    row = parse_insight_row_key(compose_key("adoption", "2026-01-01", "run|1", "x"))
    assert row is not None and row.run == (day, "run|1")
    assert parse_insight_row_key("settings") is None
    assert parse_insight_row_key(compose_key("kind", "not-a-date", "r")) is None


def test_keyed_ids_are_stable_and_distinct() -> None:
    keys, other = LifecycleKeys(b"k" * 32), LifecycleKeys(b"j" * 32)
    a, b = TenantContext("a" * 32), TenantContext("b" * 32)
    assert keys.member_pseudonym(a, MEMBER_ID) == keys.member_pseudonym(a, MEMBER_ID)
    assert keys.member_pseudonym(a, MEMBER_ID).startswith("erased-")
    assert len(keys.member_pseudonym(a, MEMBER_ID)) == len("erased-") + 12
    assert keys.member_pseudonym(a, MEMBER_ID) != keys.member_pseudonym(b, MEMBER_ID)
    assert keys.member_pseudonym(a, MEMBER_ID) != other.member_pseudonym(a, MEMBER_ID)
    assert keys.offboarding_request_id(a) != keys.erasure_request_id(a, MEMBER_ID)
    assert MEMBER_ID not in keys.erasure_request_id(a, MEMBER_ID)


@pytest.mark.parametrize(
    ("handler", "body"),
    [
        (retention_job, b"not json"),
        (retention_job, json.dumps({"type": "deletion", "org_id": "a" * 32}).encode()),
        (
            deletion_job,
            json.dumps({"type": "retention", "org_id": "a" * 32, "requested_on": "2026-01-01"}).encode(),
        ),
        (deletion_job, json.dumps({"type": "deletion", "org_id": "../x", "request_id": "a" * 32}).encode()),
    ],
)
def test_a_bad_message_fails_validation_before_any_work(handler, body: bytes) -> None:
    with pytest.raises(InvalidMessageError):
        handler(func.QueueMessage(body=body))
