"""Adoption per workload: licensed, active in 7/30/90 days, adoption %, by group, and the daily series.

Counted straight from the usage reports, so it needs no per-person join and still works when the tenant
conceals names. Licensed = the report's "Has <workload> License" (Microsoft 365 apps: a row in the apps
report); active in N days = its last activity date is at most N days before the report's own refresh
date (usage reports lag `as_of` by a few days; counting from `as_of` would shorten every window); adoption % =
active_30 / licensed. By group needs the join to `/users` (skipped when concealed) and is given only for
groups of at least `MIN_GROUP` people.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import date

from shared.insights.models import DailyActive, GroupAdoption, GroupWorkload, WorkloadAdoption
from shared.insights.rounding import pct
from shared.snapshot.records import ActiveUserCounts, ActiveUserDetail, M365AppUserDetail

MIN_GROUP = 5
COMBINED_GROUP = "(smaller groups combined)"
WINDOWS = (7, 30, 90)
WORKLOADS = {
    "exchange": "Exchange (mail)",
    "onedrive": "OneDrive",
    "sharepoint": "SharePoint",
    "teams": "Microsoft Teams",
    "yammer": "Viva Engage (Yammer)",
    "apps": "Microsoft 365 apps",
}
PLATFORMS = ("windows", "mac", "mobile", "web")
PRODUCTS = ("outlook", "word", "excel", "powerpoint", "onenote", "teams")


def _within(refresh: date, day: date | None, days: int) -> bool:
    return day is not None and refresh.toordinal() - day.toordinal() <= days


class AdoptionAccumulator:
    def __init__(self) -> None:
        self.licensed: Counter[str] = Counter()
        self.active: Counter[tuple[str, int]] = Counter()
        self.group_licensed: Counter[tuple[int, str]] = Counter()
        self.group_active: Counter[tuple[int, str]] = Counter()
        self.platforms: Counter[str] = Counter()
        self.products: Counter[str] = Counter()
        self.apps_period: int | None = None
        self.daily: dict[date, dict[str, int]] = {}

    def _count(self, workload: str, last: date | None, group: int, refresh: date) -> None:
        self.licensed[workload] += 1
        for days in WINDOWS:
            if _within(refresh, last, days):
                self.active[workload, days] += 1
        if group >= 0:
            self.group_licensed[group, workload] += 1
            if _within(refresh, last, 30):
                self.group_active[group, workload] += 1

    def add_active_user(self, row: ActiveUserDetail, group: int) -> None:
        for workload, licensed, last in (
            ("exchange", row.has_exchange_license, row.exchange_last_activity_date),
            ("onedrive", row.has_onedrive_license, row.onedrive_last_activity_date),
            ("sharepoint", row.has_sharepoint_license, row.sharepoint_last_activity_date),
            ("teams", row.has_teams_license, row.teams_last_activity_date),
            ("yammer", row.has_yammer_license, row.yammer_last_activity_date),
        ):
            if licensed:
                self._count(workload, last, group, row.report_refresh_date)

    def add_apps(self, row: M365AppUserDetail, group: int) -> None:
        self._count("apps", row.last_activity_date, group, row.report_refresh_date)
        self.apps_period = row.report_period
        for platform in PLATFORMS:
            self.platforms[platform] += bool(getattr(row, platform))
        for product in PRODUCTS:
            self.products[product] += bool(getattr(row, product))

    def add_counts(self, row: ActiveUserCounts) -> None:
        self.daily[row.report_date] = {
            "office365": row.office365,
            "exchange": row.exchange,
            "onedrive": row.onedrive,
            "sharepoint": row.sharepoint,
            "teams": row.teams,
            "yammer": row.yammer,
        }

    def workloads(self) -> list[WorkloadAdoption]:
        return [
            WorkloadAdoption(
                workload=workload,
                title=title,
                licensed=self.licensed[workload],
                active_7=self.active[workload, 7],
                active_30=self.active[workload, 30],
                active_90=self.active[workload, 90],
                adoption_pct=pct(self.active[workload, 30], self.licensed[workload]),
            )
            for workload, title in WORKLOADS.items()
        ]

    def groups(self, names: list[str], sizes: Mapping[int, int]) -> list[GroupAdoption]:
        """Per reporting group; groups under `MIN_GROUP` people show no figures. So that the breakdown still
        adds up to the totals without any small group being derivable by subtraction, the small groups are
        combined into one `COMBINED_GROUP` row — with the next smallest groups suppressed alongside when
        needed to give that row at least `MIN_GROUP` people."""
        codes = sorted(range(len(names)), key=lambda c: (sizes.get(c, 0), names[c]))
        hidden = suppressed_groups(codes, sizes)
        result = [
            GroupAdoption(group=names[code], people=sizes.get(code, 0), suppressed=True) for code in hidden
        ]
        shown = [c for c in codes if c not in hidden]
        result += [self._group(names[code], sizes.get(code, 0), [code]) for code in shown]
        combined = sum(sizes.get(c, 0) for c in hidden)
        if hidden and combined >= MIN_GROUP:
            result.append(self._group(COMBINED_GROUP, combined, hidden))
        return sorted(result, key=lambda g: g.group)

    def _group(self, name: str, people: int, codes: list[int]) -> GroupAdoption:
        def total(counter: Counter[tuple[int, str]], workload: str) -> int:
            return sum(counter[code, workload] for code in codes)

        return GroupAdoption(
            group=name,
            people=people,
            suppressed=False,
            workloads={
                w: GroupWorkload(
                    licensed=total(self.group_licensed, w),
                    active_30=total(self.group_active, w),
                    adoption_pct=pct(total(self.group_active, w), total(self.group_licensed, w)),
                )
                for w in WORKLOADS
                if total(self.group_licensed, w)
            },
        )

    def daily_series(self) -> list[DailyActive]:
        return [DailyActive(day=day, active=self.daily[day]) for day in sorted(self.daily)]


def suppressed_groups(codes: list[int], sizes: Mapping[int, int]) -> list[int]:
    """Of `codes` (smallest first), the groups to suppress: those under `MIN_GROUP` people, and the next
    smallest with them until together they hold at least `MIN_GROUP` (so none is derivable by subtraction)."""
    hidden = [c for c in codes if sizes.get(c, 0) < MIN_GROUP]
    if hidden:
        for code in codes:
            if sum(sizes.get(c, 0) for c in hidden) >= MIN_GROUP:
                break
            if code not in hidden:
                hidden.append(code)
    return hidden
