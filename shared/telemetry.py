"""Structured logs: one JSON object per line, with the request or invocation id attached.

Never log a token, secret, TOTP code or personal data: fields whose names say they hold one are
replaced before the line is written, so a careless call cannot leak them.
"""

from __future__ import annotations

import json
import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

correlation_id: ContextVar[str | None] = ContextVar("correlation_id", default=None)

_REDACTED_FIELDS = frozenset(
    {
        "authorization",
        "token",
        "access_token",
        "session",
        "x-session",
        "secret",
        "client_secret",
        "password",
        "totp",
        "code",
        "recovery_code",
        "email",
        "phone",
    }
)
# Attributes every LogRecord has; anything else on a record came from `extra=`.
_RECORD_ATTRIBUTES = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


def redact(fields: dict[str, Any]) -> dict[str, Any]:
    return {key: "[redacted]" if key.lower() in _REDACTED_FIELDS else value for key, value in fields.items()}


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON line: time, level, logger, message, correlation id and extras."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        current = correlation_id.get()
        if current:
            line["correlation_id"] = current
        extras = {key: value for key, value in record.__dict__.items() if key not in _RECORD_ATTRIBUTES}
        line.update(redact(extras))
        if record.exc_info and record.exc_info[0] is not None:
            # The type only: exception messages may quote request data.
            line["error_type"] = record.exc_info[0].__name__
        return json.dumps(line, default=str)


def configure_logging(level: str = "INFO") -> None:
    """Install the JSON formatter on the root logger (idempotent)."""
    root = logging.getLogger()
    root.setLevel(level)
    # The Azure SDKs log every storage request and its headers at INFO: noise, and measurably slower.
    logging.getLogger("azure").setLevel(level if level == "DEBUG" else "WARNING")
    for handler in root.handlers:
        if isinstance(handler.formatter, JsonFormatter):
            return
    if root.handlers:
        for handler in root.handlers:
            handler.setFormatter(JsonFormatter())
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root.addHandler(handler)
