"""The rules that keep a run from hanging and make its failures readable: every dataset listed from the
start, stalled runs read as failed, the last delivery known from host.json, refusals in plain words."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from shared.collection.run import PERMISSION_OF, failure_reason
from shared.graph import CredentialError
from shared.messages import MAX_DEQUEUE_COUNT, is_last_delivery
from shared.runs import STALLED_AFTER, member_run_id, new_run, recompute_run_id
from shared.snapshot import Dataset

HOST_JSON = json.loads((Path(__file__).parents[3] / "host.json").read_text())
NOW = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)


def test_a_new_run_lists_every_dataset_as_pending():
    run = new_run("manual-1", date(2026, 1, 15), "member", NOW)
    assert list(run.datasets) == [dataset.value for dataset in Dataset]
    assert {p.status for p in run.datasets.values()} == {"pending"} and run.snapshot_of is None


def test_runs_started_in_the_same_second_have_their_own_ids():
    assert len({member_run_id(NOW) for _ in range(50)} | {recompute_run_id(NOW) for _ in range(50)}) == 100
    assert member_run_id(NOW).startswith("manual-20260115T090000-")


def test_a_recompute_reads_the_original_snapshot_even_when_recomputing_a_recompute():
    original = new_run("daily-2026-01-15", date(2026, 1, 15), "schedule", NOW)
    first = new_run("recompute-1", original.as_of, "member", NOW, snapshot_of=original)
    second = new_run("recompute-2", first.as_of, "member", NOW, snapshot_of=first)
    assert first.snapshot_of == second.snapshot_of == "daily-2026-01-15"
    assert second.datasets == original.datasets


@pytest.mark.parametrize("state", ["queued", "collecting", "computing"])
def test_a_run_nobody_wrote_for_35_minutes_reads_failed_with_the_reason(state: str):
    run = new_run("manual-1", date(2026, 1, 15), "member", NOW).model_copy(update={"state": state})
    assert run.as_seen(NOW + STALLED_AFTER).state == state
    seen = run.as_seen(NOW + STALLED_AFTER + timedelta(seconds=1))
    assert seen.state == "failed" and seen.error is not None and "stopped without finishing" in seen.error


def test_an_ended_run_is_never_stalled():
    run = new_run("manual-1", date(2026, 1, 15), "member", NOW).model_copy(update={"state": "published"})
    assert run.as_seen(NOW + timedelta(days=3)).state == "published"


def test_the_last_delivery_and_the_stall_bound_follow_host_json():
    assert HOST_JSON["extensions"]["queues"]["maxDequeueCount"] == MAX_DEQUEUE_COUNT
    hours, minutes, seconds = map(int, HOST_JSON["functionTimeout"].split(":"))
    assert timedelta(hours=hours, minutes=minutes, seconds=seconds) < STALLED_AFTER
    assert not is_last_delivery(None) and not is_last_delivery(MAX_DEQUEUE_COUNT - 1)
    assert is_last_delivery(MAX_DEQUEUE_COUNT)


@pytest.mark.parametrize(
    ("text", "field", "words"),
    [
        ("AADSTS7000215: Invalid client secret provided. Ensure ...", "client_secret", "secret is wrong"),
        ("AADSTS7000222: The provided client secret keys are expired.", "client_secret", "expired"),
        ("AADSTS700016: Application with identifier 'x' was not found", "client_id", "no application"),
        ("AADSTS90002: Tenant 'x' not found.", "tenant_id", "no Microsoft Entra tenant"),
        ("AADSTS50000: something else", "credentials", "refused the credentials"),
        ("no code at all", "credentials", "refused the credentials"),
    ],
)
def test_a_refusal_says_which_value_is_wrong(text: str, field: str, words: str):
    error = CredentialError.from_text(text, "invalid_client")
    assert error.field == field and words in error.reason


def test_a_permission_denial_names_the_permission_to_grant():
    denied = (
        "Graph answered 403 Authorization_RequestDenied: Insufficient privileges to complete the operation."
    )
    assert failure_reason(Dataset.SUBSCRIBED_SKUS, denied).startswith(
        "subscribed_skus: the app lacks the Microsoft Graph permission Organization.Read.All"
    )
    assert failure_reason(Dataset.USERS, "Graph answered 503 serviceNotAvailable") == (
        "users: Graph answered 503 serviceNotAvailable"
    )
    assert set(PERMISSION_OF) == set(Dataset)
