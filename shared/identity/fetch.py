"""Fetching the provider's metadata: which URLs may be fetched, and a default fetcher.

Keys are a trust anchor, so they come only over HTTPS; plain http is allowed for loopback hosts alone,
which is where the local development issuer lives. Redirects are refused (PyJWT's GHSA-9v7f-9g4p-ffgj
class of bug: a redirect can move a key fetch to a host nobody configured).
"""

from __future__ import annotations

import ipaddress
import urllib.error
import urllib.request
from collections.abc import Callable
from email.message import Message
from typing import IO, NoReturn
from urllib.parse import urlsplit

# Fetch a URL and return the response body; raise `FetchError` for anything but a 200.
Fetch = Callable[[str], bytes]

MAX_DOCUMENT_BYTES = 256 * 1024  # discovery documents and key sets are a few KiB
DEFAULT_TIMEOUT_SECONDS = 5.0


class FetchError(Exception):
    """The document could not be fetched (network, status, size or URL policy)."""


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def require_trusted_url(url: str) -> str:
    """Return `url` if keys may be fetched from it: https, or http to a loopback host; no credentials."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if not host or parts.username is not None or parts.password is not None or parts.fragment:
        raise FetchError("metadata URL must be an absolute URL without credentials or fragment")
    if parts.scheme == "https" or (parts.scheme == "http" and _is_loopback(host)):
        return url
    raise FetchError("metadata URL must use https (http is allowed only for loopback hosts)")


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(  # noqa: PLR0917 - the signature is urllib's
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: Message,
        newurl: str,
    ) -> NoReturn:
        raise FetchError(f"metadata fetch answered a redirect ({code}); redirects are refused")


_OPENER = urllib.request.build_opener(_RefuseRedirects)
# A proxy from the environment must not see (or answer for) loopback requests to the local issuer.
_LOOPBACK_OPENER = urllib.request.build_opener(_RefuseRedirects, urllib.request.ProxyHandler({}))


def urllib_fetch(url: str) -> bytes:
    """The production fetcher: standard library only, bounded in time and size, no redirects."""
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked by require_trusted_url
        require_trusted_url(url), headers={"Accept": "application/json"}
    )
    opener = _LOOPBACK_OPENER if _is_loopback(urlsplit(url).hostname or "") else _OPENER
    try:
        with opener.open(request, timeout=DEFAULT_TIMEOUT_SECONDS) as response:
            if response.status != 200:
                raise FetchError(f"metadata fetch answered HTTP {response.status}")
            body: bytes = response.read(MAX_DOCUMENT_BYTES + 1)
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise FetchError(f"metadata fetch failed: {type(error).__name__}") from None
    if len(body) > MAX_DOCUMENT_BYTES:
        raise FetchError("metadata document is too large")
    return body
