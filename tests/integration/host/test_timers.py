"""Timer trigger: past-due detection from the status blob, run_on_startup, status updates."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

from azure.storage.blob import BlobServiceClient
from croniter import croniter

from dev.host import timer_status_blob_name
from tests.integration.host.conftest import YEARLY, StartHost, Storage
from tests.integration.host.recorder import RECORDER


def write_status(blobs: BlobServiceClient, host_id: str, last: datetime, next_: datetime) -> None:
    container = blobs.get_container_client("azure-webjobs-hosts")
    if not container.exists():
        container.create_container()
    status = {"Last": last.isoformat(), "Next": next_.isoformat(), "LastUpdated": last.isoformat()}
    container.upload_blob(timer_status_blob_name(host_id, "yearly_timer"), json.dumps(status), overwrite=True)


def read_status(blobs: BlobServiceClient, host_id: str) -> dict[str, str]:
    blob = blobs.get_blob_client("azure-webjobs-hosts", timer_status_blob_name(host_id, "yearly_timer"))
    loaded: dict[str, str] = json.loads(blob.download_blob().readall())
    return loaded


def test_overdue_timer_runs_past_due_and_past_due_beats_run_on_startup(
    start_host: StartHost, storage: Storage, names: dict[str, str]
) -> None:
    host_id = names["AzureFunctionsWebHost__hostid"]
    write_status(storage.blobs, host_id, datetime(2020, 1, 1, tzinfo=UTC), datetime(2021, 1, 1, tzinfo=UTC))
    start_host("yearly_timer")

    [run] = RECORDER.wait_for("yearly_timer", 1)
    time.sleep(0.3)  # a second startup invocation (run_on_startup) would show up now

    assert len(RECORDER.events("yearly_timer")) == 1
    assert run["past_due"] is True
    assert run["schedule_status"]["Next"].startswith("2021-01-01T00:00:00")
    recorded_next = datetime.fromisoformat(read_status(storage.blobs, host_id)["Next"])
    assert recorded_next > datetime.now(UTC)  # the status moved on after the run


def test_timer_that_is_not_overdue_runs_on_startup_not_past_due(
    start_host: StartHost, storage: Storage, names: dict[str, str]
) -> None:
    host_id = names["AzureFunctionsWebHost__hostid"]
    now = datetime.now(UTC)
    last = croniter(YEARLY, now, second_at_beginning=True).get_prev(datetime)
    next_ = croniter(YEARLY, last, second_at_beginning=True).get_next(datetime)
    write_status(storage.blobs, host_id, last, next_)
    start_host("yearly_timer")

    [run] = RECORDER.wait_for("yearly_timer", 1)

    assert run["past_due"] is False
    assert datetime.fromisoformat(run["schedule_status"]["Next"]) == next_
    assert run["invocation_id"]


def test_timer_without_status_records_one_and_is_not_past_due(
    start_host: StartHost, storage: Storage, names: dict[str, str]
) -> None:
    start_host("yearly_timer")

    [run] = RECORDER.wait_for("yearly_timer", 1)

    assert run["past_due"] is False
    status = read_status(storage.blobs, names["AzureFunctionsWebHost__hostid"])
    assert datetime.fromisoformat(status["Next"]).month == 1
