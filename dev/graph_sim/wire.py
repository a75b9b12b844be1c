"""Small formatting helpers for Graph JSON and report CSV values (graph_api.md §1.1, §2)."""

from __future__ import annotations

import hashlib
import json
import time
from datetime import UTC, date, datetime

NEVER = "0001-01-01T00:00:00Z"  # Graph's "never signed in" sentinel (graph_api.md §2, sample 08)


class Clock:
    """Turns the tenant's day offsets into wire timestamps relative to its `as_of` date."""

    def __init__(self, as_of: date) -> None:
        self.as_of = as_of
        self._midnight = int(datetime(as_of.year, as_of.month, as_of.day, tzinfo=UTC).timestamp())

    def instant(self, days_ago: int, second_of_day: int = 0) -> str:
        return time.strftime(
            "%Y-%m-%dT%H:%M:%SZ", time.gmtime(self._midnight - days_ago * 86_400 + second_of_day)
        )

    def day(self, days_ago: int) -> str:
        return time.strftime("%Y-%m-%d", time.gmtime(self._midnight - days_ago * 86_400))


def js(value: object) -> str:
    return json.dumps(value, separators=(",", ":"))


def conceal(value: str) -> str:
    """Concealed report names look like 32 upper-case hex characters (graph_api.md §1.3); the real
    algorithm is undocumented, MD5 merely has the right shape."""
    return hashlib.md5(value.encode(), usedforsecurity=False).hexdigest().upper()
