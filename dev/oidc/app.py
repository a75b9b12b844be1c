"""The local issuer's HTTP surface (aiohttp): discovery, JWKS, and the dev-only token endpoint."""

from __future__ import annotations

import ipaddress
from collections import Counter
from typing import Any

from aiohttp import web

from dev.oidc.issuer import JWKS_PATH, TOKEN_PATH, LocalIssuer

MAX_BODY_BYTES = 4096
MAX_FIELD_CHARS = 254


def _is_loopback(remote: str | None) -> bool:
    try:
        return remote is not None and ipaddress.ip_address(remote).is_loopback
    except ValueError:
        return False


def _optional_text(body: dict[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_FIELD_CHARS:
        raise web.HTTPBadRequest(text=f"{name} must be a non-empty string")
    return value.strip()


def create_app(issuer: LocalIssuer, requests: Counter[str]) -> web.Application:
    """The issuer's routes. `requests` counts requests per path, so tests can see key fetches."""

    @web.middleware
    async def count_requests(request: web.Request, handler: Any) -> web.StreamResponse:
        requests[request.path] += 1
        response: web.StreamResponse = await handler(request)
        return response

    async def discovery(_: web.Request) -> web.Response:
        return web.json_response(issuer.discovery_document())

    async def jwks(_: web.Request) -> web.Response:
        return web.json_response(issuer.jwks())

    async def dev_token(request: web.Request) -> web.Response:
        """`POST /dev/token {"email": ..., "given_name"?: ..., "family_name"?: ...}` → an access token
        for that demo user. Exists only in this local issuer, for `dev.login`; answers loopback only."""
        if not _is_loopback(request.remote):
            raise web.HTTPForbidden(text="the dev token endpoint answers loopback clients only")
        try:
            body = await request.json()
        except ValueError:
            raise web.HTTPBadRequest(text="body must be JSON") from None
        if not isinstance(body, dict):
            raise web.HTTPBadRequest(text="body must be a JSON object")
        email = _optional_text(body, "email")
        if email is None or email.count("@") != 1:
            raise web.HTTPBadRequest(text="email is required")
        token = issuer.mint_for_email(
            email,
            given_name=_optional_text(body, "given_name"),
            family_name=_optional_text(body, "family_name"),
        )
        return web.json_response(
            {"access_token": token, "token_type": "Bearer", "expires_in": 3600, "scope": issuer.scope},
            headers={"Cache-Control": "no-store"},
        )

    app = web.Application(middlewares=[count_requests], client_max_size=MAX_BODY_BYTES)
    app.router.add_get("/.well-known/openid-configuration", discovery)
    app.router.add_get(JWKS_PATH, jwks)
    app.router.add_post(TOKEN_PATH, dev_token)
    return app
