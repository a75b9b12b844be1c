"""The validator against the real local issuer over HTTP: discovery, JWKS, rotation and the
dev token endpoint, with the production fetcher (urllib, no redirects)."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from dev.oidc import RunningIssuer, start_issuer
from dev.oidc.issuer import subject_for_email
from shared.identity.errors import RejectReason, TokenRejectedError
from shared.identity.fetch import MAX_DOCUMENT_BYTES, FetchError, urllib_fetch
from shared.identity.jwks import JwksCache
from shared.identity.tokens import TokenValidator


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def running() -> Iterator[RunningIssuer]:
    with start_issuer() as issuer:
        yield issuer


@pytest.fixture
def clock() -> Clock:
    return Clock()


def validator_for(running: RunningIssuer, clock: Clock) -> TokenValidator:
    return TokenValidator(
        issuer=running.issuer_url,
        audience=running.issuer.audience,
        required_scope=running.issuer.scope,
        keys=JwksCache(issuer=running.issuer_url, clock=clock),
        clock=clock,
    )


def post_json(url: str, body: Any) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(  # noqa: S310 - loopback test server
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - loopback test server
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, {}


def test_discovery_document_names_the_issuer_and_its_keys(running: RunningIssuer):
    document = json.loads(urllib_fetch(running.discovery_url))
    assert document["issuer"] == running.issuer_url
    assert document["jwks_uri"] == running.jwks_url
    keys = json.loads(urllib_fetch(running.jwks_url))["keys"]
    assert [key["kid"] for key in keys] == [running.issuer.current_key.kid]
    assert all("d" not in key for key in keys)


def test_valid_token_is_accepted_over_http(running: RunningIssuer, clock: Clock):
    validator = validator_for(running, clock)
    token = running.issuer.mint_access_token(subject="sub-1", email="ada@example.test", given_name="Ada")
    verified = validator.validate(token)
    assert (verified.subject, verified.email, verified.given_name) == ("sub-1", "ada@example.test", "Ada")
    assert running.requests_to(running.discovery_url) == 1
    assert running.requests_to(running.jwks_url) == 1


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda i: i.forge_alg_none(i.access_claims(subject="s")), RejectReason.UNSUPPORTED_ALGORITHM),
        (
            lambda i: i.forge_hs256_with_public_key(i.access_claims(subject="s")),
            RejectReason.UNSUPPORTED_ALGORITHM,
        ),
        (lambda i: i.forge_with_other_key(i.access_claims(subject="s")), RejectReason.BAD_SIGNATURE),
        (lambda i: i.mint_id_token(subject="s"), RejectReason.NOT_ACCESS_TOKEN),
        (lambda i: i.mint_access_token(subject="s", audience="api://other"), RejectReason.WRONG_AUDIENCE),
        (lambda i: i.mint_access_token(subject="s", issuer=i.issuer_url + "/"), RejectReason.WRONG_ISSUER),
        (
            lambda i: i.mint_access_token(subject="s", issued_at=datetime.now(UTC) - timedelta(hours=2)),
            RejectReason.EXPIRED,
        ),
        (
            lambda i: i.sign(i.access_claims(subject="s"), headers={"jku": i.jwks_url}),
            RejectReason.MALFORMED,
        ),
    ],
)
def test_bad_tokens_are_refused_over_http(
    running: RunningIssuer, clock: Clock, make: Any, reason: RejectReason
):
    with pytest.raises(TokenRejectedError) as caught:
        validator_for(running, clock).validate(make(running.issuer))
    assert caught.value.reason is reason


def test_rotation_costs_exactly_one_jwks_refresh(running: RunningIssuer, clock: Clock):
    validator = validator_for(running, clock)
    old_token = running.issuer.mint_access_token(subject="old")
    validator.validate(old_token)
    clock.now += timedelta(minutes=5)
    running.rotate_key()
    new_token = running.issuer.mint_access_token(subject="new")
    assert validator.validate(new_token).subject == "new"
    assert validator.validate(new_token).subject == "new"
    assert validator.validate(old_token).subject == "old"  # the retired key is still published
    assert running.requests_to(running.jwks_url) == 2
    assert running.requests_to(running.discovery_url) == 1


def test_a_flood_of_unknown_kids_fetches_keys_at_most_once(running: RunningIssuer, clock: Clock):
    validator = validator_for(running, clock)
    validator.validate(running.issuer.mint_access_token(subject="s"))
    clock.now += timedelta(minutes=5)
    for attempt in range(10):
        forged = running.issuer.forge_with_other_key(
            running.issuer.access_claims(subject="s"), kid=f"kid-{attempt}"
        )
        with pytest.raises(TokenRejectedError) as caught:
            validator.validate(forged)
        assert caught.value.reason is RejectReason.UNKNOWN_KEY
    assert running.requests_to(running.jwks_url) == 2


def test_dev_token_endpoint_issues_a_verified_token_per_email(running: RunningIssuer, clock: Clock):
    status, body = post_json(running.issuer_url + "/dev/token", {"email": "super@northwind.example"})
    assert status == 200
    assert body["token_type"] == "Bearer"
    verified = validator_for(running, clock).validate(body["access_token"])
    assert verified.email == "super@northwind.example"
    assert verified.subject == subject_for_email("super@northwind.example")
    _, again = post_json(running.issuer_url + "/dev/token", {"email": "Super@Northwind.example"})
    assert validator_for(running, clock).validate(again["access_token"]).subject == verified.subject


@pytest.mark.parametrize(
    "body",
    [{}, {"email": ""}, {"email": 7}, {"email": "no-at-sign"}, ["x"], {"email": "a@b", "given_name": 3}],
)
def test_dev_token_endpoint_refuses_bad_requests(running: RunningIssuer, body: Any):
    assert post_json(running.issuer_url + "/dev/token", body)[0] == 400


def test_key_file_keeps_the_signing_key_across_restarts(tmp_path: Path):
    key_file = tmp_path / "oidc" / "signing-key.pem"
    with start_issuer(key_file=key_file) as first:
        published = json.loads(urllib_fetch(first.jwks_url))
    assert key_file.stat().st_mode & 0o077 == 0
    with start_issuer(key_file=key_file) as second:
        assert json.loads(urllib_fetch(second.jwks_url)) == published
    with start_issuer() as fresh:
        assert json.loads(urllib_fetch(fresh.jwks_url)) != published


def test_issuer_refuses_non_loopback_hosts():
    with pytest.raises(ValueError, match="loopback"):
        start_issuer(host="0.0.0.0")  # noqa: S104 - the point of the test


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "/ok")  # would succeed if followed
            self.end_headers()
        elif self.path == "/large":
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b" " * (MAX_DOCUMENT_BYTES + 1))
        elif self.path == "/ok":
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"{}")
        else:
            self.send_response(500)
            self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def plain_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_default_fetch_reads_a_document(plain_server: str):
    assert urllib_fetch(plain_server + "/ok") == b"{}"


@pytest.mark.parametrize("path", ["/redirect", "/large", "/error"])
def test_default_fetch_refuses_redirects_errors_and_oversized_documents(plain_server: str, path: str):
    with pytest.raises(FetchError):
        urllib_fetch(plain_server + path)


def test_default_fetch_refuses_plain_http_to_remote_hosts():
    with pytest.raises(FetchError, match="https"):
        urllib_fetch("http://login.example.test/keys")
