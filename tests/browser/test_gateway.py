"""The local gateway without a browser: the app's pages and their CSP, deep links, /config.json, and
`/api/*` passed to the API untouched (or a problem when the API is down)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from dev.gateway import GatewayConfig, RunningGateway, bind_loopback

ISSUER = "http://127.0.0.1:8090"
INDEX = "<!doctype html><title>Insight365</title>"


class EchoApi(BaseHTTPRequestHandler):
    """Answers every request with what it received, and a header of its own."""

    def _echo(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.dumps(
            {
                "method": self.command,
                "path": self.path,
                "body": self.rfile.read(length).decode(),
                "authorization": self.headers.get("Authorization"),
                "session": self.headers.get("X-Session"),
            }
        ).encode()
        self.send_response(418)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
        self.send_header("Retry-After", "7")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _echo  # noqa: N815 - the handler's names

    def log_message(self, *_: object) -> None:
        """Quiet."""


@pytest.fixture(scope="module")
def api_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), EchoApi)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("dist")
    (folder / "index.html").write_text(INDEX, encoding="utf-8")
    (folder / "assets").mkdir()
    (folder / "assets" / "index-abc123.js").write_text("console.log(1)", encoding="utf-8")
    (folder.parent / "secret.txt").write_text("not for the web", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def gateway(api_url: str, dist: Path) -> Iterator[str]:
    config = GatewayConfig(api_url=api_url, issuer=ISSUER, dist=dist)
    with RunningGateway(config, bind_loopback("127.0.0.1", 0)).start() as running:
        yield running.base_url


def test_a_deep_link_opens_the_app_with_a_strict_csp(gateway: str) -> None:
    page = httpx.get(f"{gateway}/licences?sku=E5")
    assert page.status_code == 200
    assert page.text == INDEX
    policy = dict(
        directive.strip().split(" ", 1) for directive in page.headers["Content-Security-Policy"].split(";")
    )
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["connect-src"] == f"'self' {ISSUER}"
    assert "unsafe-eval" not in page.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in page.headers["Content-Security-Policy"]
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Cache-Control"] == "no-cache"


def test_assets_are_served_immutable_and_a_missing_one_is_not_the_app(gateway: str) -> None:
    asset = httpx.get(f"{gateway}/assets/index-abc123.js")
    assert asset.status_code == 200
    assert asset.text == "console.log(1)"
    assert "immutable" in asset.headers["Cache-Control"]
    assert httpx.get(f"{gateway}/assets/index-gone.js").status_code == 404


def test_no_file_outside_the_build_is_served(gateway: str) -> None:
    escaped = httpx.get(f"{gateway}/%2e%2e/secret.txt")
    assert "not for the web" not in escaped.text


def test_config_json_names_the_provider_and_the_same_origin_api(gateway: str) -> None:
    config = httpx.get(f"{gateway}/config.json")
    assert config.json() == {
        "issuer": ISSUER,
        "clientId": "insight365-spa",
        "scope": "openid profile email access_as_user",
        "apiBase": "",
    }
    assert config.headers["Cache-Control"] == "no-store"


def test_api_calls_pass_through_untouched(gateway: str) -> None:
    answer = httpx.post(
        f"{gateway}/api/v1/session?x=1",
        json={"code": "123456"},
        headers={"Authorization": "Bearer t0ken", "X-Session": "s3ssion"},
    )
    assert answer.status_code == 418
    assert answer.json() == {
        "method": "POST",
        "path": "/api/v1/session?x=1",
        "body": '{"code":"123456"}',
        "authorization": "Bearer t0ken",
        "session": "s3ssion",
    }
    # The API's own headers, its CSP included, not the app's.
    assert answer.headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert answer.headers["Retry-After"] == "7"


def test_an_unreachable_api_is_a_problem_the_app_can_show(dist: Path) -> None:
    sock = bind_loopback("127.0.0.1", 0)
    closed = bind_loopback("127.0.0.1", 0)  # bound, never listening: connections are refused
    config = GatewayConfig(api_url=f"http://127.0.0.1:{closed.getsockname()[1]}", issuer=ISSUER, dist=dist)
    try:
        with RunningGateway(config, sock).start() as running:
            answer = httpx.get(f"{running.base_url}/api/v1/health")
    finally:
        closed.close()
    assert answer.status_code == 502
    assert answer.headers["Content-Type"].startswith("application/problem+json")
    assert answer.json()["title"] == "The service is unavailable"
