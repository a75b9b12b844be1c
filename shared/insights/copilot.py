"""Microsoft 365 Copilot: its seats, who uses them and where, and the seats nobody uses.

Data (Reports.Read.All, learn.microsoft.com/microsoft-365/copilot/extensibility/api/admin-settings/reports/
copilotreportroot-getmicrosoft365copilotusageuserdetail and ...-getmicrosoft365copilotusercounttrend):
- the usage user detail lists every Copilot licence holder with the date of their newest Copilot use, in
  any app and per surface (Teams, Outlook, Word, Excel, PowerPoint, OneNote, Loop, Copilot Chat);
- the user-count trend gives, per day, the Copilot-enabled users and the users active in Copilot.
Definitions (the README's Copilot table says the same):
- a Copilot SKU is a SKU carrying a Microsoft 365 Copilot plan (`M365_COPILOT_*`); seats bought and
  assigned are its usable seats and consumedUnits, as for every SKU, paid Copilot SKUs only;
- active within N days (7, 28, 90: the periods Microsoft's version 2 reports use) = a use dated at most N
  days before the report's refresh date, counted from the report's own rows (no join needed);
- an inactive Copilot seat = a Copilot licence whose holder has no Copilot use in the organisation's
  inactivity threshold (days on the report's clock), whatever the state of the account; never used = no
  use in the report at all. Its monthly cost = inactive seats × the SKU's configured price, to the penny;
- such a licence of an enabled, otherwise active account is reclaimable with the reason
  `copilot_inactive` (a disabled or inactive account's licence already is, for that reason);
- by group: holders per reporting group and how many used Copilot within 28 days; under 5 holders a
  group is suppressed, as adoption's groups are.
Without a Copilot licence the section says `not_licensed` and gives no figures; with concealed report
names only the organisation-wide figures are given.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from shared.insights.accounts import AccountTable, ordinal
from shared.insights.adoption import COMBINED_GROUP, MIN_GROUP, suppressed_groups
from shared.insights.models import (
    CopilotDay,
    CopilotGroup,
    CopilotSummary,
    CopilotSurface,
    Money,
    SkuUtilisation,
)
from shared.insights.rounding import money, pct, times
from shared.snapshot.records import COPILOT_SURFACES, CopilotUsageUserDetail, CopilotUserCountTrend

WINDOWS = (7, 28, 90)
ANY = "any"
SURFACE_TITLES = {ANY: "Any app", **dict(COPILOT_SURFACES)}
GROUP_WINDOW = 28
COPILOT_PLAN_PREFIX = "M365_COPILOT"
COPILOT_INACTIVE = "copilot_inactive"


def is_copilot(plan_names: Iterable[str]) -> bool:
    """A SKU that carries a Microsoft 365 Copilot plan (M365_COPILOT_APPS, M365_COPILOT_TEAMS, ...)."""
    return any(name.upper().startswith(COPILOT_PLAN_PREFIX) for name in plan_names)


@dataclass
class CopilotSeats:
    """Per account joined from the usage report: the newest Copilot use, on the report's clock."""

    threshold_days: int
    refresh: int = 0  # the report's refresh date (ordinal)
    last_use: dict[int, int] = field(default_factory=dict)  # account index → ordinal, 0: never used

    def days_since(self, index: int) -> int | None:
        last = self.last_use.get(index, 0)
        return self.refresh - last if last else None

    def idle(self, index: int) -> bool:
        days = self.days_since(index)
        return days is None or days > self.threshold_days

    def last_date(self, index: int) -> int:
        return self.last_use.get(index, 0)


@dataclass
class CopilotAccumulator:
    """Folds the two Copilot reports as they stream past (`add_usage`, `add_day`)."""

    threshold_days: int
    rows: int = 0
    refresh: date | None = None
    active: Counter[tuple[str, int]] = field(default_factory=Counter)
    days: list[CopilotDay] = field(default_factory=list)
    seats: CopilotSeats | None = None  # set by `join_from`

    def add_usage(self, row: CopilotUsageUserDetail, index: int) -> None:
        """One holder's row; `index` is its account (-1: not joined)."""
        self.rows += 1
        if self.refresh is None or row.report_refresh_date > self.refresh:
            self.refresh = row.report_refresh_date
        refresh = row.report_refresh_date.toordinal()
        last = ordinal(row.last_activity_date)
        for surface, day in (
            (ANY, last),
            *((key, ordinal(getattr(row, f"{key}_last_activity_date"))) for key, _ in COPILOT_SURFACES),
        ):
            if day:
                for window in WINDOWS:
                    self.active[surface, window] += refresh - day <= window
        if index >= 0 and self.seats is not None:
            self.seats.refresh = max(self.seats.refresh, refresh)
            self.seats.last_use[index] = last

    def join(self) -> CopilotSeats:
        """Start joining rows to accounts (only when report names are not concealed)."""
        self.seats = CopilotSeats(self.threshold_days)
        return self.seats

    def add_day(self, row: CopilotUserCountTrend) -> None:
        self.days.append(
            CopilotDay(
                day=row.report_date,
                enabled=row.any_app_enabled_users,
                active=row.any_app_active_users,
                active_by_surface={key: getattr(row, f"{key}_active_users") for key, _ in COPILOT_SURFACES},
            )
        )

    def surfaces(self) -> list[CopilotSurface]:
        return [
            CopilotSurface(
                surface=surface,
                title=title,
                active_7=self.active[surface, 7],
                active_28=self.active[surface, 28],
                active_90=self.active[surface, 90],
                active_28_pct=pct(self.active[surface, 28], self.rows),
            )
            for surface, title in SURFACE_TITLES.items()
        ]


@dataclass(frozen=True)
class CopilotHolding:
    """Who holds which Copilot SKU: (account index, SKU id) per assignment, from the account table."""

    assignments: list[tuple[int, str]]

    @classmethod
    def of(cls, table: AccountTable, copilot_skus: frozenset[str]) -> CopilotHolding:
        found: list[tuple[int, str]] = []
        held_by_code: dict[int, list[str]] = {}
        for i in range(len(table)):
            code = table.combo[i]
            if code < 0:
                continue
            skus = held_by_code.get(code)
            if skus is None:
                skus = held_by_code[code] = [s for s, _ in table.combinations[code] if s in copilot_skus]
            found.extend((i, sku) for sku in skus)
        return cls(found)


def copilot_summary(
    accumulator: CopilotAccumulator,
    *,
    rows: list[SkuUtilisation],
    copilot_skus: frozenset[str],
    table: AccountTable,
    report_status: str,
    concealed: bool,
    unit_prices: Mapping[str, Money | None],
) -> CopilotSummary:
    """The section; `unit_prices`: what one seat of each Copilot SKU costs a month (None: no price)."""
    paid = [
        row for row in rows if row.sku_id in copilot_skus and not row.free and (row.purchased or row.assigned)
    ]
    threshold = accumulator.threshold_days
    if not paid:
        return CopilotSummary(
            state="not_licensed",
            threshold_days=threshold,
            message="No Microsoft 365 Copilot licence is bought or assigned in this tenant, so there is no "
            "Copilot use to measure.",
        )
    base = {
        "sku_ids": [row.sku_id for row in paid],
        "purchased": sum(row.purchased for row in paid),
        "assigned": sum(row.assigned for row in paid),
        "threshold_days": threshold,
    }
    if report_status != "complete":
        return CopilotSummary(
            state="no_report",
            message=f"The Microsoft 365 Copilot usage report is {report_status} in this run, so Copilot use "
            "is not measured. It needs the Reports.Read.All permission.",
            **base,
        )
    measured = {
        "report_refresh_date": accumulator.refresh,
        "reported_users": accumulator.rows,
        "surfaces": accumulator.surfaces(),
        "trend": sorted(accumulator.days, key=lambda d: d.day),
    }
    seats = accumulator.seats
    if concealed or seats is None:
        return CopilotSummary(
            state="names_concealed",
            message="The usage reports conceal user names, so Copilot use is given for the organisation "
            "only: inactive seats and groups need the names (Microsoft 365 admin centre › Settings › Org "
            "settings › Services › Reports).",
            **base,
            **measured,
        )
    holding = CopilotHolding.of(table, frozenset(row.sku_id for row in paid))
    inactive: Counter[str] = Counter()
    never = 0
    group_holders: Counter[int] = Counter()
    group_active: Counter[int] = Counter()
    counted: set[int] = set()
    for i, sku_id in holding.assignments:
        if seats.idle(i):
            inactive[sku_id] += 1
            never += seats.days_since(i) is None
        if i not in counted:  # a person holding two Copilot SKUs is one holder of their group
            counted.add(i)
            days = seats.days_since(i)
            group_holders[table.group[i]] += 1
            group_active[table.group[i]] += days is not None and days <= GROUP_WINDOW
    cost: dict[str, float] = {}
    for sku_id, count in inactive.items():
        price = unit_prices.get(sku_id)
        if price is not None:
            cost[price.currency] = money(cost.get(price.currency, 0.0) + times(count, price.amount))
    return CopilotSummary(
        state="measured",
        **base,
        **measured,
        inactive_seats=sum(inactive.values()),
        never_used=never,
        monthly_cost_inactive=[Money(currency=c, amount=a) for c, a in sorted(cost.items())],
        groups=_groups(table, group_holders, group_active),
        groups_available=True,
    )


def _groups(table: AccountTable, holders: Counter[int], active: Counter[int]) -> list[CopilotGroup]:
    """Per reporting group of holders, suppressed as adoption's groups are (`suppressed_groups`): the small
    groups show no figures and are combined into one row, so none is derivable from the total."""
    codes = sorted(holders, key=lambda c: (holders[c], table.groups[c]))
    hidden = suppressed_groups(codes, holders)

    def row(name: str, codes: list[int]) -> CopilotGroup:
        people, used = sum(holders[c] for c in codes), sum(active[c] for c in codes)
        return CopilotGroup(
            group=name, holders=people, suppressed=False, active_28=used, active_28_pct=pct(used, people)
        )

    found = [CopilotGroup(group=table.groups[c], holders=holders[c], suppressed=True) for c in hidden]
    found += [row(table.groups[c], [c]) for c in codes if c not in hidden]
    if hidden and sum(holders[c] for c in hidden) >= MIN_GROUP:
        found.append(row(COMBINED_GROUP, hidden))
    return sorted(found, key=lambda g: g.group)


def copilot_trend_point(summary: CopilotSummary | None) -> dict[str, float | None]:
    """The Copilot figures a day's utilisation trend point keeps (null where not measured)."""
    measured = summary is not None and summary.state != "not_licensed"
    any_app = summary.surfaces[0] if summary is not None and summary.surfaces else None
    return {
        "copilot.assigned": summary.assigned if summary is not None and measured else None,
        "copilot.active_28": any_app.active_28 if any_app is not None else None,
        "copilot.inactive_seats": summary.inactive_seats if summary is not None else None,
    }
