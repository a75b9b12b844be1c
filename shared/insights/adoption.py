"""Adoption per workload: licensed, active in 7/30/90 days, adoption %, by group, and the daily series.

Counted straight from the usage reports, so it needs no per-person join and still works when the tenant
conceals names. Licensed = the report's "Has <workload> License" (Microsoft 365 apps: a row in the apps
report); active in N days = its last activity date is at most N days before `as_of`; adoption % =
active_30 / licensed. By group needs the join to `/users` (skipped when concealed) and is given only for
groups of at least `MIN_GROUP` people.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import date

from shared.insights.models import DailyActive, GroupAdoption, GroupWorkload, WorkloadAdoption
from shared.snapshot.records import ActiveUserCounts, ActiveUserDetail, M365AppUserDetail

MIN_GROUP = 5
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


def _within(reference: int, day: date | None, days: int) -> bool:
    return day is not None and reference - day.toordinal() <= days


class AdoptionAccumulator:
    def __init__(self, reference: int) -> None:
        self.reference = reference
        self.licensed: Counter[str] = Counter()
        self.active: Counter[tuple[str, int]] = Counter()
        self.group_licensed: Counter[tuple[int, str]] = Counter()
        self.group_active: Counter[tuple[int, str]] = Counter()
        self.platforms: Counter[str] = Counter()
        self.products: Counter[str] = Counter()
        self.apps_period: int | None = None
        self.daily: dict[date, dict[str, int]] = {}

    def _count(self, workload: str, last: date | None, group: int) -> None:
        self.licensed[workload] += 1
        for days in WINDOWS:
            if _within(self.reference, last, days):
                self.active[workload, days] += 1
        if group >= 0:
            self.group_licensed[group, workload] += 1
            if _within(self.reference, last, 30):
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
                self._count(workload, last, group)

    def add_apps(self, row: M365AppUserDetail, group: int) -> None:
        self._count("apps", row.last_activity_date, group)
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
                adoption_pct=_pct(self.active[workload, 30], self.licensed[workload]),
            )
            for workload, title in WORKLOADS.items()
        ]

    def groups(self, names: list[str], sizes: Mapping[int, int]) -> list[GroupAdoption]:
        result = []
        for code, name in enumerate(names):
            people = sizes.get(code, 0)
            if people < MIN_GROUP:
                result.append(GroupAdoption(group=name, people=people, suppressed=True))
                continue
            result.append(
                GroupAdoption(
                    group=name,
                    people=people,
                    suppressed=False,
                    workloads={
                        w: GroupWorkload(
                            licensed=self.group_licensed[code, w],
                            active_30=self.group_active[code, w],
                            adoption_pct=_pct(self.group_active[code, w], self.group_licensed[code, w]),
                        )
                        for w in WORKLOADS
                        if self.group_licensed[code, w]
                    },
                )
            )
        return sorted(result, key=lambda g: g.group)

    def daily_series(self) -> list[DailyActive]:
        return [DailyActive(day=day, active=self.daily[day]) for day in sorted(self.daily)]


def _pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None
