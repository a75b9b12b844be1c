"""The injected clock: every time-dependent rule in this package takes one, so tests control time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


def require_aware(moment: datetime) -> datetime:
    """Refuse naive datetimes: a naive value silently means local time, and time-steps must be UTC."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("a timezone-aware datetime is required")
    return moment
