"""The HTTP adapter: the only place that turns `func.HttpRequest` into an `ApiRequest` and back.

Each URL template is registered once as one Functions HTTP function that accepts every method and
dispatches to the handlers declared for it, so that a wrong method answers 405 with the same headers
and problem body as every other error. Every endpoint declares who may call it (its minimum `Access`),
and the authenticator refuses everyone else before the handler runs (deny by default). Every request,
allowed or refused, leaves one audit row, plus one per security event the handler raised.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import azure.functions as func
from pydantic import BaseModel

from shared.auth.authenticator import authenticate
from shared.auth.errors import AuthError
from shared.auth.roles import Access
from shared.http.audit_trail import record_request
from shared.http.headers import SECURITY_HEADERS, cors_headers, preflight_headers
from shared.http.problems import (
    PROBLEM_MEDIA_TYPE,
    ApiError,
    bad_request,
    conflict,
    internal_error,
    method_not_allowed,
    not_found,
    payload_too_large,
    precondition_failed,
    refusal,
    too_large_to_store,
    unsupported_media_type,
)
from shared.http.request import JSON_MEDIA_TYPE, ApiRequest, is_json_media_type
from shared.http.response import ApiResponse, Handler
from shared.services import Services, get_services
from shared.storage import AlreadyExistsError, ConcurrencyError, InvalidContinuationTokenError
from shared.storage.errors import EntityTooLargeError
from shared.telemetry import correlation_id

logger = logging.getLogger("insight365.http")

__all__ = ["PLATFORM_PREFIX", "Access", "Api", "ApiResponse", "Endpoint", "endpoints", "handle"]
# Operators' routes, and only theirs: `Access.OPERATOR`, `Access.SECURITY_OFFICER`, `Access.PLATFORM_SIGN_IN`.
PLATFORM_PREFIX = "v1/platform/"


@dataclass(frozen=True)
class Endpoint:
    """One method on one URL template, with what the OpenAPI document says about it."""

    method: str
    path: str
    access: Access
    handler: Handler
    summary: str = ""
    body: type[BaseModel] | None = None  # the JSON request body
    query: type[BaseModel] | None = None  # the query parameters
    response: type[BaseModel] | None = None  # the JSON success body (None: no body)
    status: int = 200  # the success status
    media_types: tuple[str, ...] = (JSON_MEDIA_TYPE,)  # of the success body
    tags: tuple[str, ...] = ()
    # An operator may call it under a support grant the organisation approved (read-only GETs only).
    support_read: bool = False


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

    def get(self, path: str, **declaration: Any) -> Callable[[Handler], Handler]:
        return self.endpoint("GET", path, **declaration)

    def post(self, path: str, **declaration: Any) -> Callable[[Handler], Handler]:
        return self.endpoint("POST", path, **declaration)

    def put(self, path: str, **declaration: Any) -> Callable[[Handler], Handler]:
        return self.endpoint("PUT", path, **declaration)

    def patch(self, path: str, **declaration: Any) -> Callable[[Handler], Handler]:
        return self.endpoint("PATCH", path, **declaration)

    def delete(self, path: str, **declaration: Any) -> Callable[[Handler], Handler]:
        return self.endpoint("DELETE", path, **declaration)

    def endpoint(
        self, method: str, path: str, *, access: Access, **declaration: Any
    ) -> Callable[[Handler], Handler]:
        """Declare `method path`: `access` (its minimum) is required; the rest as `Endpoint`'s fields."""

        def declare(handler: Handler) -> Handler:
            if declaration.get("support_read") and method != "GET":
                raise ValueError(f"{method} {path}: support access is read-only, GETs only")
            if access.is_platform != path.startswith(PLATFORM_PREFIX):
                raise ValueError(
                    f"{method} {path}: platform access and only it lives under {PLATFORM_PREFIX}"
                )
            by_method = self._handlers.get(path)
            if by_method is None:
                by_method = self._handlers[path] = {}
                self._register_function(function_name_for(path), path, by_method)
            if method in by_method:
                raise ValueError(f"{method} {path} is declared twice")
            endpoint = Endpoint(method=method, path=path, access=access, handler=handler, **declaration)
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


def _select(request: ApiRequest, by_method: Mapping[str, Endpoint]) -> Endpoint | ApiResponse:
    if not by_method:
        raise not_found()
    if request.method == "OPTIONS":
        return ApiResponse(status=204, headers=preflight_headers(sorted(by_method)))
    endpoint = by_method.get(request.method)
    if endpoint is None:
        raise method_not_allowed(sorted(by_method))
    return endpoint


def _run(endpoint: Endpoint, request: ApiRequest) -> ApiResponse:
    """Call the handler; the storage outcomes a client can cause become problems here, once."""
    try:
        result = endpoint.handler(request)
    except AlreadyExistsError:
        raise conflict("conflict", "It exists already") from None
    except ConcurrencyError:
        raise precondition_failed() from None
    except InvalidContinuationTokenError:
        raise bad_request("The continuation token is not valid here.") from None
    except EntityTooLargeError:
        raise too_large_to_store() from None
    if isinstance(result, ApiResponse):
        return result
    return ApiResponse(status=endpoint.status, body=result)


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


@dataclass
class _Exchange:
    request: ApiRequest
    endpoint: Endpoint | None = None


def _respond(exchange: _Exchange, by_method: Mapping[str, Endpoint], services: Services) -> ApiResponse:
    """The response; `exchange` learns the endpoint and the caller as soon as they are known."""
    request = exchange.request
    try:
        selected = _select(request, by_method)
        if isinstance(selected, ApiResponse):
            return selected
        exchange.endpoint = selected
        _check_body(request, services.settings.max_body_bytes)
        caller = authenticate(request.headers, selected.access, services, support_read=selected.support_read)
        exchange.request = replace(request, caller=caller)
        return _run(selected, exchange.request)
    except AuthError as error:
        if error.caller is not None:  # the refusal is audited under their name
            exchange.request = replace(request, caller=error.caller)
        return _problem_response(refusal(error), request.request_id)
    except ApiError as error:
        return _problem_response(error, request.request_id)
    except Exception:
        logger.exception("unhandled error", extra={"method": request.method})
        return _problem_response(internal_error(), request.request_id)


def handle(req: func.HttpRequest, path: str, by_method: Mapping[str, Endpoint]) -> func.HttpResponse:
    """Run one request through the common pipeline; never lets an exception or a stack trace out."""
    request_id = uuid.uuid4().hex
    token = correlation_id.set(request_id)
    started = time.perf_counter()
    exchange = _Exchange(_to_api_request(req, request_id))
    services: Services | None = None
    try:
        services = get_services()
        response = _respond(exchange, by_method, services)
    except Exception:
        logger.exception("services unavailable", extra={"route": path})
        response = _problem_response(internal_error(), request_id)
    request = exchange.request
    # Anonymous endpoints (health, the contract, unknown addresses) serve nobody's data: the request
    # log covers them. Everything else is audited, allowed or refused.
    if (
        services is not None
        and exchange.endpoint is not None
        and exchange.endpoint.access is not Access.ANONYMOUS
    ):
        record_request(
            services,
            request,
            f"{request.method} /api/{path}",
            response.status,
            platform=exchange.endpoint.access.is_platform,
        )
    headers = {
        **response.headers,
        **SECURITY_HEADERS,
        **cors_headers(request.header("origin"), services.settings.cors_origins if services else ()),
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
