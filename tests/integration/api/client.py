"""An in-process client for the API: builds `func.HttpRequest`s and runs them through the real adapter."""

from __future__ import annotations

import json
import re
import threading
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, quote, unquote

import azure.functions as func
import pyotp

import function_app  # noqa: F401 - registers every endpoint
from shared.http.adapter import Endpoint, endpoints, handle

ROUTE_PARAMETER = re.compile(r"{([A-Za-z_]+)}")


class FakeClock:
    """A clock tests move forward; shared by the API's services and the local issuer."""

    def __init__(self) -> None:
        self._now = datetime.now(UTC)
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, **delta: float) -> None:
        with self._lock:
            self._now += timedelta(**delta)

    @contextmanager
    def travel(self) -> Iterator[None]:
        """Move freely inside the block; afterwards time is back where it was (plus a minute), so
        other tests' tokens and sessions stay valid."""
        start = self()
        try:
            yield
        finally:
            with self._lock:
                self._now = start + timedelta(minutes=1)


def _routes() -> list[tuple[re.Pattern[str], str, dict[str, Endpoint]]]:
    by_path: dict[str, dict[str, Endpoint]] = defaultdict(dict)
    for endpoint in endpoints():
        by_path[endpoint.path][endpoint.method] = endpoint
    return [
        (re.compile("^/api/" + ROUTE_PARAMETER.sub(r"(?P<\1>[^/]+)", path) + "$"), path, methods)
        for path, methods in by_path.items()
    ]


ROUTES = _routes()


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    media_type: str

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def problem_type(self) -> str:
        return str(self.json().get("type", "")).removeprefix("urn:insight365:problem:")


def call(
    method: str,
    url: str,
    *,
    body: Any = None,
    headers: dict[str, str] | None = None,
    raw: bytes | None = None,
) -> Response:
    path, _, query = url.partition("?")
    all_headers = {"x-forwarded-for": "203.0.113.7:5000", **(headers or {})}
    data = raw if raw is not None else b""
    if body is not None:
        data = json.dumps(body).encode()
        all_headers.setdefault("content-type", "application/json")
    for pattern, template, methods in ROUTES:
        match = pattern.match(path)
        if match:
            params = dict(parse_qsl(query, keep_blank_values=True))
            route_params = {name: unquote(value) for name, value in match.groupdict().items()}
            request = func.HttpRequest(
                method, "http://localhost" + url, body=data, headers=all_headers,
                params=params, route_params=route_params,
            )  # fmt: skip
            response = handle(request, template, methods)
            return Response(
                response.status_code, dict(response.headers), response.get_body(), response.mimetype
            )
    raise AssertionError(f"no route for {path}")


def wsgi_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """The API as a WSGI app, for schemathesis to drive in-process."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    headers = {
        key[5:].replace("_", "-").lower(): value for key, value in environ.items() if key.startswith("HTTP_")
    }
    if environ.get("CONTENT_TYPE"):
        headers["content-type"] = environ["CONTENT_TYPE"]
    query = environ.get("QUERY_STRING", "")
    # WSGI hands over the path percent-decoded: encode it again, or a fuzzed "?" in a path parameter would
    # start the query string.
    url = quote(environ["PATH_INFO"], safe="/") + (f"?{query}" if query else "")
    response = call(environ["REQUEST_METHOD"], url, headers=headers, raw=environ["wsgi.input"].read(length))
    response_headers = [
        (name, value) for name, value in response.headers.items() if name.lower() != "content-type"
    ]
    if response.body:
        response_headers.append(("Content-Type", response.media_type))
    start_response(f"{response.status} STATUS", response_headers)
    return [response.body]


@dataclass
class Actor:
    """A signed-in member (or just an identity): headers for each access level."""

    email: str
    token: str
    session: str | None = None
    member_id: str | None = None
    totp_secret: str | None = None
    recovery_codes: list[str] = field(default_factory=list)

    @property
    def bearer(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self.token}"}

    @property
    def headers(self) -> dict[str, str]:
        return {**self.bearer, "x-session": self.session or ""}

    def code(self, clock: FakeClock) -> str:
        assert self.totp_secret is not None
        return pyotp.TOTP(self.totp_secret).at(clock())

    def call(self, method: str, url: str, **kwargs: Any) -> Response:
        return call(method, url, headers={**self.headers, **kwargs.pop("headers", {})}, **kwargs)
