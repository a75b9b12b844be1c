"""HTTP front end on aiohttp: HTTP-triggered functions under /<routePrefix>/ and the admin endpoint.

- Routing: ASP.NET-style templates (routing.py); 404 when no route matches the path, 405 (with Allow)
  when routes match it but not for this method. Auth levels are ignored, as Core Tools does locally.
- Request: `azure.functions.http.HttpRequest` built as the worker's HttpRequestConverter builds it
  (the worker asks the host for raw body bytes). Bodies over 100 MB, or
  FUNCTIONS_REQUEST_BODY_SIZE_LIMIT bytes, get 413 before the function runs.
- Response: `func.HttpResponse` or `str`, with content-type added as HttpResponseConverter does.
  An unhandled exception (or timeout) is a 500 with no body, as in the host.
- `POST /admin/functions/<name>` with `{"input": "..."}` runs a non-HTTP function once (202). It answers
  loopback clients only (403 otherwise): Azure's host guards it with the master key, which this stand-in
  does not have, so reaching it from another machine must not run the app's jobs.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
from collections.abc import Callable, Mapping
from typing import Any

import azure.functions as func
from aiohttp import web
from azure.functions.http import HttpRequest as WorkerHttpRequest

from dev.host.invoker import InvocationResult, Invoke, finish_or_cancel
from dev.host.loader import HTTP_TRIGGER, FunctionSpec
from dev.host.logs import log_event
from dev.host.routing import RouteMatch, RouteTable

DEFAULT_BODY_LIMIT = 104_857_600  # ScriptConstants.DefaultMaxRequestBodySize
ADMIN_PREFIX = "/admin/functions/"

# Builds the trigger value for an admin-endpoint invocation from its "input" string.
AdminInput = Callable[[FunctionSpec, str], object]


def is_loopback(peer: str | None) -> bool:
    """Whether the peer address is this machine (127.0.0.0/8, ::1, or IPv4 loopback mapped into IPv6).

    The TCP peer, never a header such as X-Forwarded-For: a header is whatever the client says."""
    try:
        address = ipaddress.ip_address(peer or "")
    except ValueError:
        return False  # no peer (e.g. a Unix socket) or not an IP address
    mapped = address.ipv4_mapped if isinstance(address, ipaddress.IPv6Address) else None
    return (mapped or address).is_loopback


def _joined(items: Any) -> dict[str, str]:
    """A multi-dict flattened as the host does: repeated keys joined with commas."""
    joined: dict[str, str] = {}
    for key, value in items:
        joined[key] = f"{joined[key]},{value}" if key in joined else value
    return joined


def to_function_request(
    request: web.Request, body: bytes, route_params: Mapping[str, str]
) -> func.HttpRequest:
    return WorkerHttpRequest(
        method=request.method.upper(),
        url=str(request.url),
        headers=_joined((k.lower(), v) for k, v in request.headers.items()),
        params=_joined(request.query.items()),
        route_params=dict(route_params),
        body_type="bytes",
        body=body,
    )


def to_web_response(value: object) -> web.Response:
    if value is None:
        return web.Response(status=204)  # nothing to send (the worker sends no http output)
    if isinstance(value, str):
        return web.Response(body=value.encode("utf-8"), content_type="text/plain", charset="utf-8")
    if not isinstance(value, func.HttpResponse):
        raise TypeError(f"an HTTP function must return func.HttpResponse or str, not {type(value).__name__}")
    headers = value.headers
    if "content-type" not in headers:
        mimetype = value.mimetype
        text = mimetype.startswith("text/")
        headers["content-type"] = f"{mimetype}; charset={value.charset}" if text else mimetype
    response = web.Response(status=value.status_code, body=value.get_body() or b"")
    for name, header in headers.items():  # werkzeug Headers: repeated Set-Cookie survive as items
        response.headers.add(name, header)
    return response


def route_of(spec: FunctionSpec, route_prefix: str) -> str:
    return "/".join(part for part in (route_prefix, str(spec.trigger["route"])) if part)


def methods_of(spec: FunctionSpec) -> frozenset[str] | None:
    """The allowed methods; None (no `methods` in the binding) means every method."""
    methods = spec.trigger.get("methods")
    return frozenset(m.upper() for m in methods) if methods else None


class HttpFrontEnd:
    def __init__(
        self,
        specs: list[FunctionSpec],
        *,
        route_prefix: str,
        body_limit: int,
        invoke: Invoke,
        admin_input: AdminInput,
    ) -> None:
        self._specs = {spec.name.lower(): spec for spec in specs}
        self._invoke = invoke
        self._admin_input = admin_input
        self._body_limit = body_limit
        self._background: set[asyncio.Task[InvocationResult]] = set()
        self.routes: RouteTable[FunctionSpec] = RouteTable(
            (route_of(spec, route_prefix), methods_of(spec), spec)
            for spec in specs
            if spec.trigger_type == HTTP_TRIGGER
        )
        self.app = web.Application(client_max_size=body_limit)
        self.app.router.add_route("*", "/{tail:.*}", self._handle)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if request.path.lower().startswith(ADMIN_PREFIX):
            if not is_loopback(request.remote):
                return web.Response(status=403)
            if request.method == "POST":
                return await self._admin(request, request.path[len(ADMIN_PREFIX) :])
        matched = self.routes.match(request.rel_url.raw_path, request.method)
        if matched is None:
            return web.Response(status=404)
        if not isinstance(matched, RouteMatch):
            return web.Response(status=405, headers={"Allow": ", ".join(sorted(matched))})
        if request.content_length is not None and request.content_length > self._body_limit:
            return web.Response(status=413)
        return await self._run(request, matched)

    async def _run(self, request: web.Request, matched: RouteMatch[FunctionSpec]) -> web.Response:
        body = await request.read()  # aiohttp answers 413 itself for a chunked body over client_max_size
        function_request = to_function_request(request, body, matched.route_params)
        result = await self._invoke(matched.target, function_request, "http")
        if not result.succeeded:
            return web.Response(status=500)
        try:
            return to_web_response(result.return_value)
        except TypeError as exc:
            log_event(
                logging.ERROR, "http_output_failed", function=matched.target.name, error_type="TypeError"
            )
            raise web.HTTPInternalServerError from exc

    async def _admin(self, request: web.Request, name: str) -> web.Response:
        spec = self._specs.get(name.lower())
        if spec is None:
            return web.Response(status=404)
        if spec.trigger_type == HTTP_TRIGGER:
            return web.json_response({"error": "HTTP functions are invoked through their route"}, status=400)
        try:
            payload = json.loads(await request.text() or "{}")
        except ValueError:
            return web.json_response({"error": 'body must be JSON: {"input": "..."}'}, status=400)
        value = self._admin_input(spec, str(payload.get("input") or ""))
        # Accepted now, run in the background: the admin API does not wait for the invocation.
        task = asyncio.create_task(self._invoke(spec, value, "admin"))
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return web.Response(status=202)

    async def drain(self, grace: float) -> None:
        await finish_or_cancel(self._background, grace)
