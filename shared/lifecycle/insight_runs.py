"""Which insight runs retention removes: runs past the window, and superseded runs of the same day.

The `insights` partition holds rows `kind|as_of|run_id|item` and pointer rows (`current`, `day|<as_of>`)
that name the published run; detail lists are blobs `insights/<as_of>/<run_id>/<list>.jsonl.gz`. For a
day with several runs, the run the pointers name (else the day's latest published run) is kept; the
others are removed once they have ended (published or failed, or have no run record left). A run still
in progress is never touched, whatever its day.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from shared.insights.store import CURRENT as CURRENT_POINTER
from shared.insights.store import DAY as DAY_POINTER
from shared.runs import RunRecord
from shared.storage import Entity, split_key

_ENDED = frozenset({"published", "failed"})

RunKey = tuple[date, str]  # (as_of, run_id)


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


@dataclass(frozen=True)
class InsightRowKey:
    """What an `insights` RowKey names: a pointer (`run` is None) or a row of one run."""

    kind: str
    as_of: date | None
    run: RunKey | None


def parse_insight_row_key(row_key: str) -> InsightRowKey | None:
    """None for rows that are neither a pointer nor a run's row (left alone)."""
    if row_key == CURRENT_POINTER:
        return InsightRowKey(CURRENT_POINTER, None, None)
    parts = split_key(row_key)
    day = _day(parts[1]) if len(parts) > 1 else None
    if day is None:
        return None
    if parts[0] == DAY_POINTER and len(parts) == 2:
        return InsightRowKey(DAY_POINTER, day, None)
    return InsightRowKey(parts[0], day, (day, parts[2])) if len(parts) >= 3 else None


def pointer_target(entity: Entity) -> RunKey | None:
    """The run a pointer row names (its `as_of` and `run_id` columns, as `shared.insights.store` writes)."""
    fields: Mapping[str, Any] = entity.properties
    day = _day(str(fields.get("as_of", "")))
    run_id = fields.get("run_id")
    return (day, run_id) if day is not None and isinstance(run_id, str) else None


def kept_runs(pointers: Iterable[RunKey], records: Iterable[RunRecord]) -> dict[date, str]:
    """The run kept for each day: the one a pointer names, else the day's latest published run."""
    kept: dict[date, str] = {}
    latest: dict[date, RunRecord] = {}
    for record in records:
        if record.state == "published":
            best = latest.get(record.as_of)
            if best is None or record.updated_at > best.updated_at:
                latest[record.as_of] = record
    kept.update({day: record.run_id for day, record in latest.items()})
    kept.update(dict(pointers))
    return kept


def runs_to_remove(
    runs: Iterable[RunKey], kept: Mapping[date, str], states: Mapping[str, str], cutoff: date
) -> set[RunKey]:
    """Runs older than `cutoff`, and ended runs of a day whose kept run is another one."""
    remove: set[RunKey] = set()
    for day, run_id in runs:
        expired = day < cutoff
        superseded = day in kept and kept[day] != run_id and states.get(run_id, "failed") in _ENDED
        if expired or superseded:
            remove.add((day, run_id))
    return remove
