"""Structured host logs on the `dev.host` logger: the event and its fields travel as record extras, so
the app's JSON formatter (`shared.telemetry`) writes each as one JSON line.

Invocation lines carry ids, timings and outcomes only; never message bodies, request bodies or
exception messages, which may hold personal data or secrets.
"""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger("dev.host")


def log_event(level: int, event: str, message: str = "", **fields: Any) -> None:
    logger.log(level, message or event, extra={"event": event, **fields})


def log_invocation(
    *,
    function: str,
    invocation_id: str,
    trigger: str,
    duration_ms: float,
    error: BaseException | None,
) -> None:
    fields: dict[str, Any] = {
        "function": function,
        "invocation_id": invocation_id,
        "trigger": trigger,
        "duration_ms": round(duration_ms, 1),
        "outcome": "failed" if error else "succeeded",
    }
    if error is not None:
        fields["error_type"] = type(error).__name__
    log_event(logging.ERROR if error else logging.INFO, "invocation", **fields)
