"""Severity, shared by detection rules, alerts, capacity limits and incidents."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Literal

Severity = Literal["low", "medium", "high", "critical"]
SEVERITIES: tuple[Severity, ...] = ("low", "medium", "high", "critical")
# Medium and above become incidents automatically (the hosting provider's protocol: "automatic tickets
# for medium and high alerts"); low ones are kept as alerts for review.
INCIDENT_THRESHOLD: Severity = "medium"
_INVERTED_BASE = 10**13 - 1


def at_least(severity: Severity, floor: Severity) -> bool:
    return SEVERITIES.index(severity) >= SEVERITIES.index(floor)


def opens_incident(severity: Severity) -> bool:
    """Whether an alert of this severity opens (or joins) an incident."""
    return at_least(severity, INCIDENT_THRESHOLD)


def worst(first: Severity, second: Severity) -> Severity:
    return max(first, second, key=SEVERITIES.index)


def key_digest(key: str) -> str:
    """A fixed-length, key-safe name for a deduplication key (which may hold addresses or ids)."""
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def newest_first(moment: datetime) -> str:
    """A row-key part that sorts newest first (milliseconds, inverted)."""
    return f"{_INVERTED_BASE - int(moment.astimezone(UTC).timestamp() * 1000):013d}"
