"""Graph error responses (graph_api.md §7: `{"error":{"code","message","innerError":{...}}}`)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

from aiohttp import web


def error_body(status: int, code: str, message: str) -> str:
    return json.dumps(
        {
            "error": {
                "code": code,
                "message": message,
                "innerError": {
                    "code": str(status) if status == 429 else code,
                    "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
                    "request-id": str(uuid.uuid4()),
                    "client-request-id": str(uuid.uuid4()),
                },
            }
        }
    )


def graph_error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(
        status=status,
        text=error_body(status, code, message),
        content_type="application/json",
        headers=headers,
    )


def bad_request(message: str) -> web.Response:
    return graph_error(400, "BadRequest", message)


def non_premium() -> web.Response:
    return graph_error(
        403,
        "Authentication_RequestFromNonPremiumTenantOrB2CTenant",
        "Neither tenant is B2C or tenant doesn't have premium license",
    )
