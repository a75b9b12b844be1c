"""Response headers every API response carries, and the CORS allow-list."""

from __future__ import annotations

from collections.abc import Iterable

SECURITY_HEADERS: dict[str, str] = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
}

CORS_ALLOWED_HEADERS = "Authorization, Content-Type, If-Match, X-Session"
CORS_EXPOSED_HEADERS = "Content-Disposition, ETag, Retry-After, X-Request-Id"
CORS_MAX_AGE_SECONDS = "600"


def cors_headers(origin: str | None, allowed_origins: Iterable[str]) -> dict[str, str]:
    """Headers that let an allowed SPA origin read the response; nothing for any other origin."""
    headers = {"Vary": "Origin"}
    if origin and origin.rstrip("/") in allowed_origins:
        headers["Access-Control-Allow-Origin"] = origin.rstrip("/")
        headers["Access-Control-Expose-Headers"] = CORS_EXPOSED_HEADERS
    return headers


def preflight_headers(methods: Iterable[str]) -> dict[str, str]:
    return {
        "Access-Control-Allow-Methods": ", ".join(methods),
        "Access-Control-Allow-Headers": CORS_ALLOWED_HEADERS,
        "Access-Control-Max-Age": CORS_MAX_AGE_SECONDS,
    }
