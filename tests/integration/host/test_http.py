"""HTTP trigger through the local host: routing, methods, limits, request/response shapes, timeouts."""

from __future__ import annotations

import concurrent.futures
import json
import logging
import uuid
from collections.abc import Iterator

import httpx
import pytest

from shared.telemetry import JsonFormatter
from tests.integration.host.conftest import HTTP_FUNCTIONS, StartHost
from tests.integration.host.recorder import RECORDER


@pytest.fixture
def client(start_host: StartHost) -> Iterator[httpx.Client]:
    host = start_host(*HTTP_FUNCTIONS)
    with httpx.Client(base_url=f"{host.base_url}/api", timeout=10) as http:
        yield http


def test_route_parameters_and_constraints(client: httpx.Client) -> None:
    guid = str(uuid.uuid4())
    assert client.get("/items/42").json() == {"id": "42"}  # route values are strings
    assert client.get("/items/abc").status_code == 404  # int constraint
    assert client.get("/items/99999999999").status_code == 404  # beyond Int32
    assert client.get("/ITEMS/new").status_code == 201  # literal beats {id}, case-insensitively
    assert client.get("/products/shoes").json() == {"category": "shoes"}  # optional id absent
    assert client.get("/products/shoes/7").json() == {"category": "shoes", "id": "7"}
    assert client.get("/products/sh0es").status_code == 404  # alpha
    assert client.get(f"/codes/abc/TRUE/{guid}").json() == {"code": "abc", "flag": "TRUE", "uid": guid}
    assert client.get(f"/codes/abcd/true/{guid}").status_code == 404  # length(3)
    assert client.get(f"/codes/abc/yes/{guid}").status_code == 404  # bool
    assert client.get("/codes/abc/true/not-a-guid").status_code == 404  # guid
    assert client.get("/files/a/b%20c.txt").json() == {"path": "a/b c.txt"}  # catch-all, decoded


def test_unknown_route_is_404_and_wrong_method_is_405(client: httpx.Client) -> None:
    assert client.get("/nowhere").status_code == 404
    assert client.get("/echo").status_code == 405
    assert client.get("/echo").headers["allow"] == "POST, PUT"
    assert client.get(f"http://127.0.0.1:{client.base_url.port}/items/1").status_code == 404  # no prefix


def test_request_is_built_as_the_worker_builds_it(client: httpx.Client) -> None:
    response = client.post("/echo?a=1&b=two", content=b'{"x": 1}', headers={"X-Custom": "Value"})

    seen = response.json()
    assert seen["method"] == "POST"
    assert seen["url"].endswith("/api/echo?a=1&b=two")
    assert seen["body"] == '{"x": 1}'
    assert seen["headers"]["x-custom"] == "Value"
    assert seen["params"] == {"a": "1", "b": "two"}
    assert response.headers["content-type"] == "application/json"


def test_body_over_the_limit_is_413(client: httpx.Client) -> None:
    assert client.post("/echo", content=b"x" * 1024).status_code == 200  # FUNCTIONS_REQUEST_BODY_SIZE_LIMIT
    assert client.post("/echo", content=b"x" * 1025).status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit applies while reading
        yield b"x" * 1000
        yield b"x" * 1000

    assert client.post("/echo", content=chunks()).status_code == 413


def test_sync_runs_in_the_thread_pool_and_async_on_the_loop(client: httpx.Client) -> None:
    sync = client.get("/hello", params={"name": "ada"})
    async_ = client.get("/hello-async")

    assert sync.text == "hello ada"
    assert sync.headers["content-type"] == "text/plain; charset=utf-8"
    assert async_.json()["function_name"] == "async_hello"
    uuid.UUID(async_.json()["invocation_id"])
    assert RECORDER.events("sync_hello")[0]["thread"].startswith("dev-host-worker")
    assert RECORDER.events("async_hello")[0]["thread"] == "dev-host"  # the host's event-loop thread


def test_many_concurrent_requests(client: httpx.Client) -> None:
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda i: client.get(f"/items/{i}").json()["id"], range(64)))
    assert statuses == [str(i) for i in range(64)]


def test_function_timeout_fails_the_invocation(
    client: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="dev.host")

    assert client.get("/slow").status_code == 500

    lines = [json.loads(JsonFormatter().format(r)) for r in caplog.records if r.name == "dev.host"]
    [invocation] = [line for line in lines if line["event"] == "invocation"]
    assert invocation["outcome"] == "failed"
    assert invocation["error_type"] == "FunctionTimeoutError"
    assert 900 < invocation["duration_ms"] < 3000
    assert any(
        "Timeout value of 00:00:01 exceeded by function 'Functions.slow'" in line.get("message", "")
        for line in lines
    )
    assert RECORDER.events("slow") == []  # cancelled, never finished


def test_unhandled_exception_is_500_and_the_log_has_no_message(
    client: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="dev.host")

    response = client.get("/boom")

    assert response.status_code == 500
    assert response.content == b""
    lines = [JsonFormatter().format(r) for r in caplog.records if r.name == "dev.host"]
    assert not any("personal data" in line for line in lines)
    assert any('"error_type": "RuntimeError"' in line for line in lines)
