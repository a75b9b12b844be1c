"""The HTTP adapter: the only place that turns `func.HttpRequest` into an `ApiRequest` and back.

Each URL template is registered once as one Functions HTTP function that accepts every method and
dispatches to the handlers declared for it, so that a wrong method answers 405 with the same headers
and problem body as every other error. Every endpoint declares who may call it; anything that is not
explicitly anonymous is denied until an authenticator is installed (deny by default).
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import azure.functions as func
from pydantic import BaseModel

from shared.http.headers import SECURITY_HEADERS, cors_headers, preflight_headers
from shared.http.problems import (
    PROBLEM_MEDIA_TYPE,
    ApiError,
    internal_error,
    method_not_allowed,
    not_found,
    payload_too_large,
    unsupported_media_type,
)
from shared.http.request import JSON_MEDIA_TYPE, ApiRequest, is_json_media_type
from shared.settings import get_settings
from shared.telemetry import correlation_id

logger = logging.getLogger("insight365.http")


class Access(StrEnum):
    """Who may call an endpoint, from least to most privileged."""

    ANONYMOUS = "anonymous"
    BEARER = "bearer"  # a valid identity-provider token, no organisation or session yet
    USER = "user"
    ADMIN = "admin"
    SUPER_ADMIN = "super_admin"


@dataclass(frozen=True)
class ApiResponse:
    status: int = 200
    body: BaseModel | Mapping[str, Any] | Sequence[Any] | bytes | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    media_type: str = JSON_MEDIA_TYPE


Handler = Callable[[ApiRequest], BaseModel | ApiResponse]


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    access: Access
    handler: Handler


_ENDPOINTS: list[Endpoint] = []


def endpoints() -> list[Endpoint]:
    """Every endpoint declared so far, for the route × role matrix and the OpenAPI document."""
    return list(_ENDPOINTS)


def function_name_for(path: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "_", path).strip("_")
    return f"http_{slug or 'root'}"


class Api:
    """Declares endpoints on one blueprint: `@api.get("v1/health", access=Access.ANONYMOUS)`."""

    def __init__(self, blueprint: func.Blueprint) -> None:
        self._blueprint = blueprint
        self._handlers: dict[str, dict[str, Endpoint]] = {}

    def get(self, path: str, *, access: Access) -> Callable[[Handler], Handler]:
        return self.endpoint("GET", path, access=access)

    def post(self, path: str, *, access: Access) -> Callable[[Handler], Handler]:
        return self.endpoint("POST", path, access=access)

    def put(self, path: str, *, access: Access) -> Callable[[Handler], Handler]:
        return self.endpoint("PUT", path, access=access)

    def patch(self, path: str, *, access: Access) -> Callable[[Handler], Handler]:
        return self.endpoint("PATCH", path, access=access)

    def delete(self, path: str, *, access: Access) -> Callable[[Handler], Handler]:
        return self.endpoint("DELETE", path, access=access)

    def endpoint(self, method: str, path: str, *, access: Access) -> Callable[[Handler], Handler]:
        def declare(handler: Handler) -> Handler:
            by_method = self._handlers.get(path)
            if by_method is None:
                by_method = self._handlers[path] = {}
                self._register_function(function_name_for(path), path, by_method)
            if method in by_method:
                raise ValueError(f"{method} {path} is declared twice")
            endpoint = Endpoint(method=method, path=path, access=access, handler=handler)
            by_method[method] = endpoint
            _ENDPOINTS.append(endpoint)
            return handler

        return declare

    def fallback(self) -> None:
        """Answer every unknown address under the route prefix with a 404 problem (with headers)."""
        self._register_function("http_not_found", "{*path}", {})

    def _register_function(self, name: str, path: str, by_method: dict[str, Endpoint]) -> None:
        # The worker passes the request as the argument named like the trigger binding, `req`.
        def http_function(req: func.HttpRequest) -> func.HttpResponse:
            return handle(req, path, by_method)

        http_function.__name__ = name
        self._blueprint.function_name(name)(
            self._blueprint.route(route=path, auth_level=func.AuthLevel.ANONYMOUS)(http_function)
        )


def _client_address(headers: Mapping[str, str]) -> str | None:
    # The gateway appends the address it saw (host:port) to X-Forwarded-For; the rightmost entry is the
    # only one a client cannot forge.
    forwarded = headers.get("x-forwarded-for", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    if not hops:
        return None
    last = hops[-1]
    if last.startswith("["):
        return last[1 : last.find("]")] if "]" in last else last
    return last.rsplit(":", 1)[0] if last.count(":") == 1 else last


def _to_api_request(req: func.HttpRequest, request_id: str) -> ApiRequest:
    headers = {key.lower(): value for key, value in req.headers.items()}
    return ApiRequest(
        method=req.method.upper(),
        path=req.url,
        route_params=dict(req.route_params),
        query=dict(req.params),
        headers=headers,
        body=req.get_body() or b"",
        request_id=request_id,
        client_address=_client_address(headers),
    )


def _check_body(request: ApiRequest, limit: int) -> None:
    """Bodies are JSON and small, whatever the endpoint: 413 before anything reads them, then 415."""
    declared = request.header("content-length")
    if (declared is not None and declared.isdigit() and int(declared) > limit) or len(request.body) > limit:
        raise payload_too_large(limit)
    if request.body and not is_json_media_type(request.header("content-type")):
        raise unsupported_media_type()


def _dispatch(request: ApiRequest, by_method: Mapping[str, Endpoint]) -> ApiResponse:
    if not by_method:
        raise not_found()
    if request.method == "OPTIONS":
        return ApiResponse(status=204, headers=preflight_headers(sorted(by_method)))
    endpoint = by_method.get(request.method)
    if endpoint is None:
        raise method_not_allowed(sorted(by_method))
    if endpoint.access is not Access.ANONYMOUS:
        raise ApiError(401, "unauthenticated", "Authentication required")
    result = endpoint.handler(request)
    return result if isinstance(result, ApiResponse) else ApiResponse(body=result)


def _render(response: ApiResponse) -> bytes | None:
    body = response.body
    if body is None or isinstance(body, bytes):
        return body
    if isinstance(body, BaseModel):
        return body.model_dump_json().encode()
    return json.dumps(body, separators=(",", ":"), default=str).encode()


def _problem_response(error: ApiError, request_id: str) -> ApiResponse:
    return ApiResponse(
        status=error.status,
        body=error.problem(request_id).model_dump(exclude_none=True),
        headers=error.headers,
        media_type=PROBLEM_MEDIA_TYPE,
    )


def handle(req: func.HttpRequest, path: str, by_method: Mapping[str, Endpoint]) -> func.HttpResponse:
    """Run one request through the common pipeline; never lets an exception or a stack trace out."""
    settings = get_settings()
    request_id = uuid.uuid4().hex
    token = correlation_id.set(request_id)
    started = time.perf_counter()
    request = _to_api_request(req, request_id)
    try:
        _check_body(request, settings.max_body_bytes)
        response = _dispatch(request, by_method)
    except ApiError as error:
        response = _problem_response(error, request_id)
    except Exception:
        logger.exception("unhandled error", extra={"method": request.method})
        response = _problem_response(internal_error(), request_id)
    headers = {
        **response.headers,
        **SECURITY_HEADERS,
        **cors_headers(request.header("origin"), settings.cors_origins),
        "X-Request-Id": request_id,
    }
    logger.info(
        "request",
        extra={
            "method": request.method,
            "route": path,
            "status": response.status,
            "duration_ms": round((time.perf_counter() - started) * 1000, 2),
        },
    )
    correlation_id.reset(token)
    return func.HttpResponse(
        body=_render(response), status_code=response.status, headers=headers, mimetype=response.media_type
    )
