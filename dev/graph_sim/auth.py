"""The client-credentials token endpoint, `POST /{tenant}/oauth2/v2.0/token`, and bearer checks for every
Graph call. Tokens are opaque here; the collector never inspects them. Each token carries the
application permissions of the app it was issued to.

Refusals follow Entra ID's error response
(https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow#error-response):
`error`, `error_description` starting with the `AADSTS` code, `error_codes`, `timestamp`, `trace_id`,
`correlation_id`; a wrong secret is 401 `invalid_client` AADSTS7000215, an unknown client id 400
`unauthorized_client` AADSTS700016, an unknown tenant 400 `invalid_request` AADSTS90002.
"""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from aiohttp import web

from dev.graph_sim.config import AppRegistration
from dev.graph_sim.permissions import ALL_NEEDED

GRAPH_SCOPE = "https://graph.microsoft.com/.default"
LIFETIME = 3599


def oauth_error(code: str, aadsts: int, description: str, status: int = 400) -> web.Response:
    trace, correlation = uuid.uuid4(), uuid.uuid4()
    now = datetime.now(UTC)
    return web.json_response(
        {
            "error": code,
            "error_description": (
                f"AADSTS{aadsts}: {description}\r\nTrace ID: {trace}\r\nCorrelation ID: {correlation}\r\n"
                f"Timestamp: {now:%Y-%m-%d %H:%M:%SZ}"
            ),
            "error_codes": [aadsts],
            "timestamp": f"{now:%Y-%m-%d %H:%M:%SZ}",
            "trace_id": str(trace),
            "correlation_id": str(correlation),
            "error_uri": f"https://login.microsoftonline.com/error?code={aadsts}",
        },
        status=status,
    )


@dataclass(frozen=True, slots=True)
class Bearer:
    """What an access token stands for: an app (client id) in one tenant, with its permissions."""

    expires: float
    permissions: frozenset[str]
    tenant_id: str
    client_id: str


class Tokens:
    """Registered apps (each with its secret and permissions) plus, unless refused, any other client id
    with `client_secret` (None: not checked) and every permission. `tenant_id` resolves the tenant a token
    request names (id or domain) to a served tenant's id, None when it is not served."""

    def __init__(
        self,
        tenant_id: Callable[[str], str | None],
        client_secret: str | None,
        apps: tuple[AppRegistration, ...] = (),
        refuse_unknown_clients: bool = False,
        default_tenant: str = "",
    ) -> None:
        self._tenant_id = tenant_id
        self._default_tenant = default_tenant
        self._secret = client_secret
        self._apps = {app.client_id.lower(): app for app in apps}
        self._refuse_unknown = refuse_unknown_clients
        self._issued: dict[str, Bearer] = {}

    def register(self, app: AppRegistration) -> None:
        self._apps[app.client_id.lower()] = app

    def issue(
        self, permissions: frozenset[str] = ALL_NEEDED, tenant_id: str = "", client_id: str = "simulator"
    ) -> str:
        token = "eyJ0eXAiOiJKV1Qi." + secrets.token_urlsafe(32)
        self._issued[token] = Bearer(
            time.time() + LIFETIME, permissions, tenant_id or self._default_tenant, client_id.lower()
        )
        return token

    def bearer(self, authorization: str | None) -> Bearer | None:
        """What a bearer token stands for; None when it is missing, unknown or expired."""
        if not authorization or not authorization.startswith("Bearer "):
            return None
        issued = self._issued.get(authorization[7:])
        if issued is None or issued.expires <= time.time():
            return None
        return issued

    def _refusal(self, client_id: str, secret: str) -> web.Response | None:
        app = self._apps.get(client_id.lower())
        if app is None and self._refuse_unknown:
            return oauth_error(
                "unauthorized_client",
                700016,
                f"Application with identifier '{client_id}' was not found in the directory.",
            )
        expected = app.client_secret if app is not None else self._secret
        if expected is not None and not secrets.compare_digest(secret, expected):
            return oauth_error(
                "invalid_client",
                7000215,
                "Invalid client secret provided. Ensure the secret being sent in the request is the client "
                f"secret value, not the client secret ID, for a secret added to app '{client_id}'.",
                401,
            )
        return None

    async def token_endpoint(self, request: web.Request) -> web.Response:
        tenant = request.match_info["tenant"]
        tenant_id = self._tenant_id(tenant)
        if tenant_id is None:
            return oauth_error("invalid_request", 90002, f"Tenant '{tenant}' not found.")
        form = await request.post()
        if form.get("grant_type") != "client_credentials":
            return oauth_error(
                "unsupported_grant_type", 70003, "The app requested an unsupported grant type."
            )
        client_id, secret = str(form.get("client_id") or ""), str(form.get("client_secret") or "")
        if not client_id or not secret:
            return oauth_error(
                "invalid_request", 900144, "The request body must contain client_id and client_secret."
            )
        refused = self._refusal(client_id, secret)
        if refused is not None:
            return refused
        if form.get("scope") != GRAPH_SCOPE:
            return oauth_error("invalid_scope", 1002012, "The provided value for scope is not valid.")
        app = self._apps.get(client_id.lower())
        permissions = app.permissions if app is not None and app.permissions is not None else ALL_NEEDED
        return web.json_response(
            {
                "token_type": "Bearer",
                "expires_in": LIFETIME,
                "ext_expires_in": LIFETIME,
                "access_token": self.issue(permissions, tenant_id, client_id),
            }
        )
