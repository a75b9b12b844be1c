"""Productivity: aggregates per active user and period; no per-person figure is kept or written.

For each usage report, an account counts as an active user of that workload when its last activity date
falls inside the report's period (counted back from the report's refresh date). For every metric the
engine keeps only a column of values (no identity) and, when the join to `/users` is possible, a parallel
column of group codes; it writes the median, p90 (nearest rank: the ⌈0.9·n⌉-th smallest), mean and total.
Groups with fewer than `MIN_GROUP` active users are suppressed and flagged; so is an organisation-wide
metric with fewer than `MIN_GROUP` active users (its figures are null, only the count is given).
"""

from __future__ import annotations

import math
from array import array
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from shared.insights.models import GroupMetric, GroupProductivity, MetricStats
from shared.insights.rounding import exact, stat
from shared.snapshot.records import ReportRow

MIN_GROUP = 5


@dataclass(frozen=True, slots=True)
class Metric:
    id: str
    title: str
    unit: str
    source: str
    value: Callable[[Any], float]  # the report row of `source` → the metric's value


def _m(id_: str, title: str, unit: str, source: str, value: Callable[[Any], float]) -> Metric:
    return Metric(id_, title, unit, source, value)


EMAIL, TEAMS, SHAREPOINT, ONEDRIVE = "email", "teams", "sharepoint", "onedrive"
METRICS: tuple[Metric, ...] = (
    _m("emails_sent", "Emails sent", "emails", EMAIL, (lambda r: r.send_count)),
    _m("emails_received", "Emails received", "emails", EMAIL, (lambda r: r.receive_count)),
    _m("emails_read", "Emails read", "emails", EMAIL, (lambda r: r.read_count)),
    _m("meetings_created", "Meetings created", "meetings", EMAIL, (lambda r: r.meeting_created_count)),
    _m(
        "meetings_interacted",
        "Meeting invitations acted on",
        "meetings",
        EMAIL,
        (lambda r: r.meeting_interacted_count),
    ),
    _m(
        "team_chat_messages",
        "Teams channel messages",
        "messages",
        TEAMS,
        (lambda r: r.team_chat_message_count),
    ),
    _m(
        "private_chat_messages",
        "Teams chat messages",
        "messages",
        TEAMS,
        (lambda r: r.private_chat_message_count),
    ),
    _m("calls", "Teams calls", "calls", TEAMS, (lambda r: r.call_count)),
    _m(
        "meetings_organised",
        "Meetings organised",
        "meetings",
        TEAMS,
        (lambda r: r.meetings_organized_count),
    ),
    _m(
        "meetings_attended",
        "Meetings attended",
        "meetings",
        TEAMS,
        (lambda r: r.meetings_attended_count),
    ),
    _m("audio_minutes", "Audio minutes", "minutes", TEAMS, (lambda r: r.audio_duration_seconds / 60)),
    _m("video_minutes", "Video minutes", "minutes", TEAMS, (lambda r: r.video_duration_seconds / 60)),
    _m(
        "screen_share_minutes",
        "Screen-share minutes",
        "minutes",
        TEAMS,
        (lambda r: r.screen_share_duration_seconds / 60),
    ),
    _m(
        "files_viewed_or_edited",
        "Files viewed or edited (SharePoint)",
        "files",
        SHAREPOINT,
        (lambda r: r.viewed_or_edited_file_count),
    ),
    _m(
        "files_synced",
        "Files synced (SharePoint)",
        "files",
        SHAREPOINT,
        (lambda r: r.synced_file_count),
    ),
    _m(
        "files_shared_internally",
        "Files shared internally",
        "files",
        SHAREPOINT,
        (lambda r: r.shared_internally_file_count),
    ),
    _m(
        "files_shared_externally",
        "Files shared externally",
        "files",
        SHAREPOINT,
        (lambda r: r.shared_externally_file_count),
    ),
    _m(
        "pages_visited",
        "SharePoint pages visited",
        "pages",
        SHAREPOINT,
        (lambda r: r.visited_page_count),
    ),
    _m(
        "onedrive_active_files",
        "OneDrive files active",
        "files",
        ONEDRIVE,
        (lambda r: r.active_file_count),
    ),
)
_BY_SOURCE = {
    source: [m for m in METRICS if m.source == source] for source in (EMAIL, TEAMS, SHAREPOINT, ONEDRIVE)
}


def _quantile(ordered: list[float], q: float) -> float | None:
    if not ordered:
        return None
    return ordered[max(math.ceil(q * len(ordered)) - 1, 0)]


def _median(ordered: list[float]) -> float | None:
    n = len(ordered)
    if not n:
        return None
    middle = n // 2
    return ordered[middle] if n % 2 else (ordered[middle - 1] + ordered[middle]) / 2


class ProductivityAccumulator:
    def __init__(self) -> None:
        self._values: dict[str, array[float]] = {m.id: array("d") for m in METRICS}
        self._groups: dict[str, array[int]] = {source: array("i") for source in _BY_SOURCE}
        self._periods: dict[str, int] = {}

    def add(
        self, source: str, row: ReportRow, period: int, last_activity_days: int | None, group: int
    ) -> None:
        """One report row; counted when its account was active in the report's period."""
        if last_activity_days is None or last_activity_days >= period:
            return
        self._periods[source] = period
        for metric in _BY_SOURCE[source]:
            self._values[metric.id].append(float(metric.value(row)))
        self._groups[source].append(group)

    def metrics(self) -> list[MetricStats]:
        found = []
        for metric in METRICS:
            values = sorted(self._values[metric.id])
            n = len(values)
            total: float | None = math.fsum(values)
            if 0 < n < MIN_GROUP:  # fewer than 5 people behind it (a small tenant): no figure, as for groups
                values, total = [], None
            found.append(
                MetricStats(
                    metric=metric.id,
                    title=metric.title,
                    unit=metric.unit,
                    source=metric.source,
                    period_days=self._periods.get(metric.source),
                    active_users=n,
                    total=stat(total),
                    mean=stat(exact(total) / n) if total is not None and n else None,
                    median=stat(_median(values)),
                    p90=stat(_quantile(values, 0.9)),
                )
            )
        return found

    def groups(self, names: list[str]) -> list[GroupProductivity]:
        # Per group and metric, the values; built one metric at a time to bound memory.
        active: Counter[int] = Counter()
        for codes in self._groups.values():
            for code, count in Counter(codes).items():
                active[code] = max(active[code], count)
        result: dict[int, GroupProductivity] = {}
        for code, name in enumerate(names):
            users = active.get(code, 0)
            result[code] = GroupProductivity(group=name, active_users=users, suppressed=users < MIN_GROUP)
        for metric in METRICS:
            codes = self._groups[metric.source]
            values = self._values[metric.id]
            split: dict[int, list[float]] = {}
            for code, value in zip(codes, values, strict=True):
                if code >= 0:
                    split.setdefault(code, []).append(value)
            for code, group_values in split.items():
                if len(group_values) < MIN_GROUP or result[code].suppressed:
                    continue
                group_values.sort()
                result[code].metrics[metric.id] = GroupMetric(
                    median=stat(_median(group_values)), p90=stat(_quantile(group_values, 0.9))
                )
        return sorted(result.values(), key=lambda g: g.group)
