"""Ids from the URL: anything not found in the caller's organisation answers 404 and is recorded.

Another organisation's id and an id that never existed look the same to the caller,
and both raise a security event: telling them apart would need a lookup outside the caller's
organisation, which the isolation rules forbid.
"""

from __future__ import annotations

import re

from shared.http.problems import ApiError, not_found
from shared.http.request import ApiRequest

HEX_ID = re.compile(r"[0-9a-f]{32}")
RUN_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


def missing(request: ApiRequest, name: str, value: str) -> ApiError:
    request.audit.security_event("unknown_or_foreign_id", f"{name}={value}")
    return not_found()


def path_id(request: ApiRequest, name: str, pattern: re.Pattern[str] = HEX_ID) -> str:
    value = request.route_params.get(name, "")
    if pattern.fullmatch(value) is None:
        raise missing(request, name, value)
    return value
