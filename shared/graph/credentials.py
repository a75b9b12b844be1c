"""Token sources for one customer tenant, behind azure-core's `AsyncTokenCredential` interface.

Production uses `azure.identity.aio.ClientSecretCredential` against the Entra authority. azure-identity
refuses plain-http authorities (graph_api.md §9), so against a loopback simulator a small credential
POSTs the same client-credentials form to `<authority>/<tenant>/oauth2/v2.0/token` itself.
"""

from __future__ import annotations

import asyncio
import re
import time
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import httpx
from azure.core.credentials import AccessToken
from azure.core.credentials_async import AsyncTokenCredential
from azure.identity.aio import ClientSecretCredential

GRAPH_SCOPE = "https://graph.microsoft.com/.default"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
# A tenant is named by its GUID or a verified domain; anything else could rewrite the token URL's path.
_TENANT = re.compile(r"[0-9A-Za-z][0-9A-Za-z.-]{0,252}")
_REFRESH_MARGIN_SECONDS = 300  # renew a cached token this long before it expires


class CredentialError(RuntimeError):
    """The token endpoint refused the client credentials; the message carries its error code only."""


def is_loopback_http(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme == "http" and (parts.hostname or "") in LOOPBACK_HOSTS


class ClientCredentialsToken(AsyncTokenCredential):
    """Client-credentials grant over plain HTTP, for a loopback simulator only. Caches its token."""

    def __init__(self, token_url: str, client_id: str, client_secret: str, *, timeout: float = 30) -> None:
        if not is_loopback_http(token_url):
            raise ValueError("plain-http token endpoints are allowed on loopback addresses only")
        self._url = token_url
        self._form = {"grant_type": "client_credentials", "client_id": client_id}
        self._secret = client_secret
        self._http = httpx.AsyncClient(timeout=timeout)
        self._lock = asyncio.Lock()
        self._token: AccessToken | None = None

    async def get_token(
        self,
        *scopes: str,
        claims: str | None = None,
        tenant_id: str | None = None,
        enable_cae: bool = False,
        **kwargs: Any,
    ) -> AccessToken:
        async with self._lock:
            if self._token is None or self._token.expires_on - _REFRESH_MARGIN_SECONDS < time.time():
                self._token = await self._request(" ".join(scopes))
            return self._token

    async def _request(self, scope: str) -> AccessToken:
        form = {**self._form, "client_secret": self._secret, "scope": scope}
        response = await self._http.post(self._url, data=form)
        body = (
            response.json() if response.headers.get("content-type", "").startswith("application/json") else {}
        )
        if response.status_code != 200 or "access_token" not in body:
            raise CredentialError(f"token request failed: {response.status_code} {body.get('error', '')}")
        return AccessToken(body["access_token"], int(time.time()) + int(body.get("expires_in", 3599)))

    async def close(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> ClientCredentialsToken:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> None:
        await self.close()


def tenant_credential(
    authority: str, tenant_id: str, client_id: str, client_secret: str
) -> AsyncTokenCredential:
    """The token source for one customer tenant: Entra (https) or a loopback simulator (http)."""
    if _TENANT.fullmatch(tenant_id) is None:
        raise ValueError("a tenant id is a GUID or a domain name")
    authority = authority.rstrip("/")
    if is_loopback_http(authority):
        return ClientCredentialsToken(f"{authority}/{tenant_id}/oauth2/v2.0/token", client_id, client_secret)
    if urlsplit(authority).scheme != "https":
        raise ValueError("the Graph authority must be https (plain http only on loopback, for development)")
    return ClientSecretCredential(tenant_id, client_id, client_secret, authority=authority)
