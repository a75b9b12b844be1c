"""Token sources for one customer tenant, behind azure-core's `AsyncTokenCredential` interface.

Production uses `azure.identity.aio.ClientSecretCredential` against the Entra authority. azure-identity
refuses plain-http authorities, so against a loopback simulator a small credential POSTs the same
client-credentials form to `<authority>/<tenant>/oauth2/v2.0/token` itself.

Either way a refusal becomes one `CredentialError` that says, in plain words, which of the three values a
customer typed is wrong, from the `AADSTS` code of Entra ID's error response
(https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow#error-response).
"""

from __future__ import annotations

import asyncio
import re
import time
from types import TracebackType
from typing import Any, Literal
from urllib.parse import urlsplit

import httpx
from azure.core.credentials import AccessToken
from azure.core.credentials_async import AsyncTokenCredential
from azure.core.exceptions import ClientAuthenticationError
from azure.identity.aio import ClientSecretCredential

GRAPH_SCOPE = "https://graph.microsoft.com/.default"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
# A tenant is named by its GUID or a verified domain; anything else could rewrite the token URL's path.
_TENANT = re.compile(r"[0-9A-Za-z][0-9A-Za-z.-]{0,252}")
_REFRESH_MARGIN_SECONDS = 300  # renew a cached token this long before it expires


CredentialField = Literal["tenant_id", "client_id", "client_secret", "credentials"]
_AADSTS = re.compile(r"AADSTS(\d+)")
# The codes a wrong tenant id, client id or secret produce, and what the customer should do about each
# (https://learn.microsoft.com/azure/developer/java/sdk/troubleshooting-authentication-service-principal).
_REFUSALS: dict[int, tuple[CredentialField, str]] = {
    90002: ("tenant_id", "no Microsoft Entra tenant has this tenant id"),
    900023: ("tenant_id", "this is not a valid Microsoft Entra tenant id"),
    700016: ("client_id", "no application with this client id is registered in the tenant"),
    7000215: ("client_secret", "the client secret is wrong (enter the secret's Value, not its Secret ID)"),
    7000222: ("client_secret", "the client secret has expired: create a new one in Entra ID"),
}


class CredentialError(RuntimeError):
    """Entra ID refused the client credentials: which value is wrong (`field`) and why, in plain words.

    Permanent: retrying the same credentials cannot succeed. Never carries a secret or a token.
    """

    def __init__(self, code: int | None, error: str = "") -> None:
        field, reason = _REFUSALS.get(
            code or 0, ("credentials", f"Microsoft Entra ID refused the credentials ({error or 'no reason'})")
        )
        super().__init__(f"{reason} (AADSTS{code})" if code else reason)
        self.code = code
        self.field: CredentialField = field
        self.reason = reason

    @classmethod
    def from_text(cls, text: str, error: str = "") -> CredentialError:
        """From an error description such as `AADSTS7000215: Invalid client secret provided. ...`."""
        found = _AADSTS.search(text)
        return cls(int(found.group(1)) if found else None, error)


async def verify_credentials(credential: AsyncTokenCredential) -> None:
    """Get a Graph token now: `CredentialError` if Entra ID refuses the credentials. Anything else (the
    endpoint unreachable, a 5xx) is raised as it is: it may pass on a retry."""
    try:
        await credential.get_token(GRAPH_SCOPE)
    except ClientAuthenticationError as error:  # azure-identity's refusal
        raise CredentialError.from_text(str(error.message)) from None


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
        # Connection failures are retried, as azure-identity's own pipeline does for the real authority.
        self._http = httpx.AsyncClient(timeout=timeout, transport=httpx.AsyncHTTPTransport(retries=2))
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
        if response.status_code >= 500:
            response.raise_for_status()  # the endpoint failed, not the credentials
        if response.status_code != 200 or "access_token" not in body:
            codes = body.get("error_codes") or []
            if codes:
                raise CredentialError(int(codes[0]), str(body.get("error", "")))
            raise CredentialError.from_text(
                str(body.get("error_description", "")), str(body.get("error", ""))
            )
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
