"""The real app through the local Functions host: routing, headers and limits as a client sees them."""

from collections.abc import Iterator

import httpx
import pytest

from dev.azurite import REPO_ROOT, Azurite
from dev.host import run_host_in_thread
from shared.http.headers import SECURITY_HEADERS
from tests.conftest import TEST_SETTINGS


@pytest.fixture(scope="module")
def api(azurite: Azurite) -> Iterator[httpx.Client]:
    settings = {**TEST_SETTINGS, "AzureWebJobsStorage": azurite.connection_string}
    with (
        run_host_in_thread(REPO_ROOT, settings) as running,
        httpx.Client(base_url=running.base_url) as client,
    ):
        yield client


def assert_security_headers(response: httpx.Response) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value, name
    assert len(response.headers["x-request-id"]) == 32


def test_health_is_ok_with_the_security_headers(api: httpx.Client) -> None:
    response = api.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response.headers["content-type"].startswith("application/json")
    assert_security_headers(response)


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("POST", "/api/v1/health", None, 405),
        ("GET", "/api/v1/no-such-thing", None, 404),
        ("GET", "/api/v2/health", None, 404),
        ("GET", "/api/v1/health", b"{" + b" " * 70_000 + b"}", 413),
        ("GET", "/api/v1/health", b"<xml/>", 415),
    ],
)
def test_errors_through_the_host_are_problems_with_headers(api, method, path, body, status) -> None:
    headers = {"content-type": "application/xml" if status == 415 else "application/json"} if body else {}
    response = api.request(method, path, content=body, headers=headers)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == status
    assert_security_headers(response)
