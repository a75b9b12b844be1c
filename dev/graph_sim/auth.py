"""The client-credentials token endpoint, `POST /{tenant}/oauth2/v2.0/token` (graph_api.md §9), and
bearer checks for every Graph call. Tokens are opaque here; the collector never inspects them."""

from __future__ import annotations

import secrets
import time

from aiohttp import web

GRAPH_SCOPE = "https://graph.microsoft.com/.default"
LIFETIME = 3599


def _oauth_error(code: str, description: str, status: int = 400) -> web.Response:
    return web.json_response({"error": code, "error_description": description}, status=status)


class Tokens:
    def __init__(self, tenant_ids: tuple[str, ...], client_secret: str | None) -> None:
        self._tenants = {t.lower() for t in tenant_ids}
        self._secret = client_secret
        self._issued: dict[str, float] = {}

    def issue(self) -> str:
        token = "eyJ0eXAiOiJKV1Qi." + secrets.token_urlsafe(32)
        self._issued[token] = time.time() + LIFETIME
        return token

    def valid(self, authorization: str | None) -> bool:
        if not authorization or not authorization.startswith("Bearer "):
            return False
        expiry = self._issued.get(authorization[7:])
        return expiry is not None and expiry > time.time()

    async def token_endpoint(self, request: web.Request) -> web.Response:
        if request.match_info["tenant"].lower() not in self._tenants:
            return _oauth_error("invalid_request", "AADSTS90002: Tenant not found.")
        form = await request.post()
        if form.get("grant_type") != "client_credentials":
            return _oauth_error(
                "unsupported_grant_type", "AADSTS70003: The app requested an unsupported grant type."
            )
        if not form.get("client_id") or not form.get("client_secret"):
            return _oauth_error(
                "invalid_request", "AADSTS900144: The request body must contain client_id and client_secret."
            )
        if self._secret is not None and form.get("client_secret") != self._secret:
            return _oauth_error("invalid_client", "AADSTS7000215: Invalid client secret provided.", 401)
        if form.get("scope") != GRAPH_SCOPE:
            return _oauth_error("invalid_scope", "AADSTS1002012: The provided value for scope is not valid.")
        return web.json_response(
            {
                "token_type": "Bearer",
                "expires_in": LIFETIME,
                "ext_expires_in": LIFETIME,
                "access_token": self.issue(),
            }
        )
