"""Queue trigger and queue output semantics of the local host, against Azurite."""

from __future__ import annotations

import base64
import json
import logging
import os
from datetime import datetime

import httpx
import pytest

from dev.host.config import HostConfigError
from shared.telemetry import JsonFormatter
from tests.integration.host.conftest import StartHost, Storage
from tests.integration.host.recorder import RECORDER


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def host_lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, object]]:
    return [json.loads(JsonFormatter().format(r)) for r in caplog.records if r.name == "dev.host"]


def test_message_that_always_fails_reaches_poison_after_five_attempts(
    start_host: StartHost, storage: Storage, names: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="dev.host")
    queue = names["FAILING_QUEUE"]
    start_host("always_fails")
    storage.send_base64(queue, "order 42 ✓")

    poisoned = storage.wait_for_messages(f"{queue}-poison", 1)

    attempts = RECORDER.events("always_fails")
    assert [a["dequeue_count"] for a in attempts] == [1, 2, 3, 4, 5]
    assert {a["body"] for a in attempts} == {"order 42 ✓"}
    assert len({a["id"] for a in attempts}) == 1
    first = attempts[0]
    assert all(
        isinstance(first[k], datetime) for k in ("insertion_time", "expiration_time", "time_next_visible")
    )
    assert first["pop_receipt"]
    assert poisoned == [b64("order 42 ✓")]  # body intact, still base64 for a poison-queue function
    assert storage.raw_messages(queue) == []
    lines = host_lines(caplog)
    failures = [line for line in lines if line.get("event") == "invocation"]
    assert [(f["outcome"], f["error_type"], f["trigger"]) for f in failures] == [
        ("failed", "ValueError", "queue")
    ] * 5
    [moved] = [line for line in lines if line.get("event") == "poison"]
    assert (
        moved["message"]
        == f"Message has reached MaxDequeueCount of 5. Moving message to queue '{queue}-poison'."
    )
    assert moved["dequeue_count"] == 5  # moved after the 5th failure, not on a 6th receive
    assert "order 42" not in caplog.text  # bodies never reach the logs


def test_message_already_over_max_dequeue_count_is_poisoned_without_invoking(
    start_host: StartHost, storage: Storage, names: dict[str, str]
) -> None:
    queue = names["ECHO_QUEUE"]
    storage.send_base64(queue, "crashed five times")
    client = storage.queue(queue)
    for _ in range(5):  # as if five hosts crashed mid-invocation: each receive counts
        [message] = client.receive_messages(max_messages=1, visibility_timeout=30)
        client.update_message(message, pop_receipt=message.pop_receipt, visibility_timeout=0)
    start_host("echo_queue")

    assert storage.wait_for_messages(f"{queue}-poison", 1) == [b64("crashed five times")]
    assert RECORDER.events("echo_queue") == []


def test_message_not_in_base64_goes_to_poison_without_invoking(
    start_host: StartHost, storage: Storage, names: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="dev.host")
    queue = names["ECHO_QUEUE"]
    storage.queue(queue).create_queue()
    storage.queue(queue).send_message('{"plain": "json, as the Python SDK sends by default"}')
    start_host("echo_queue")

    poisoned = storage.wait_for_messages(f"{queue}-poison", 1)
    storage.send_base64(queue, "a well-encoded message")  # the listener keeps working
    RECORDER.wait_for("echo_queue", 1)

    assert poisoned == ['{"plain": "json, as the Python SDK sends by default"}']  # copied as stored
    assert [e["body"] for e in RECORDER.events("echo_queue")] == ["a well-encoded message"]
    assert any("Message decoding has failed!" in str(line.get("message")) for line in host_lines(caplog))


def test_output_binding_is_written_only_when_the_invocation_succeeds(
    start_host: StartHost, storage: Storage, names: dict[str, str]
) -> None:
    out_queue = names["OUT_QUEUE"].lower()
    start_host("fanout")

    storage.send_base64(names["FANOUT_QUEUE"], json.dumps({"items": ["a", "b"], "fail": True}))
    storage.wait_for_messages(f"{names['FANOUT_QUEUE']}-poison", 1)
    assert len(RECORDER.events("fanout")) == 5
    assert storage.raw_messages(out_queue) == []

    storage.send_base64(names["FANOUT_QUEUE"], json.dumps({"items": ["x", "y", "z"], "fail": False}))
    written = storage.wait_for_messages(out_queue, 3)
    assert sorted(written) == sorted(b64(item) for item in ["x", "y", "z"])


def test_non_none_return_without_return_binding_fails_the_invocation(
    start_host: StartHost, storage: Storage, names: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="dev.host")
    start_host("returns_value")
    storage.send_base64(names["RETURNS_QUEUE"], "anything")

    storage.wait_for_messages(f"{names['RETURNS_QUEUE']}-poison", 1)

    outcomes = [line for line in host_lines(caplog) if line.get("event") == "invocation"]
    assert {(o["outcome"], o["error_type"]) for o in outcomes} == {("failed", "RuntimeError")}
    assert len(outcomes) == 5


def test_admin_endpoint_runs_queue_and_timer_functions(
    start_host: StartHost, storage: Storage, names: dict[str, str]
) -> None:
    host = start_host("echo_queue", "yearly_timer", "sync_hello")
    RECORDER.wait_for("yearly_timer", 1)  # the run_on_startup invocation

    with httpx.Client(base_url=host.base_url) as client:
        assert client.post("/admin/functions/echo_queue", json={"input": "from admin"}).status_code == 202
        assert client.post("/admin/functions/yearly_timer", json={"input": ""}).status_code == 202
        assert client.post("/admin/functions/no_such_function", json={}).status_code == 404
        assert client.post("/admin/functions/sync_hello", json={}).status_code == 400

    assert [e["body"] for e in RECORDER.wait_for("echo_queue", 1)] == ["from admin"]
    runs = RECORDER.wait_for("yearly_timer", 2)
    assert [r["past_due"] for r in runs] == [False, False]
    assert storage.raw_messages(names["ECHO_QUEUE"]) == []  # ran directly, not through the queue


def test_invalid_queue_name_stops_the_host_from_starting_and_restores_the_environment(
    start_host: StartHost, names: dict[str, str]
) -> None:
    with pytest.raises(HostConfigError, match="invalid queue name 'ab'"):
        start_host("echo_queue", ECHO_QUEUE="ab")

    assert "ECHO_QUEUE" not in os.environ
