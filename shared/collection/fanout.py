"""The daily fan-out: one `refresh-tenant` message per active organisation with a connected tenant, and
the plan of the day for Microsoft Graph's shared quotas.

An integration in `error` is refreshed too: the customer may have fixed the cause in Entra ID (granted a
permission), and only a refresh that succeeds clears the error.

The run id is fixed per day (`daily_run_id`), so a timer that fires twice, or a retried fan-out, starts
no second run: the refresh handler finds the day's run and acts only on its current continuation.

Reading is two queries whatever the fleet's size: the organisations, and every organisation's integration
row at once (`iter_connections`); 10,000 point reads took 77 s on Azurite.

The plan: each app (client id) may read 10 signInActivity pages a minute for all its tenants
(shared.graph.quota), so its tenants' pages (accounts ÷ 500, from each tenant's last refresh) divided by
that rate say when the fleet's refresh can finish, less a tenth kept for members' on-demand refreshes.
Refreshes start smallest first, each message made visible when its share of the quota is about to come
up (a little early, so the governor always has work queued): a small organisation never waits behind a
large one, and Functions instances are not started hours before they could send a request. The plan,
with its expected finish against the start of the UK working day, is logged.
"""

from __future__ import annotations

import logging
import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from shared.collection.sources import SIGN_IN_PAGE
from shared.graph import QuotaGovernor
from shared.graph.quota import SIGN_IN_ACTIVITY
from shared.integrations import iter_connections
from shared.messages import RefreshTenant
from shared.organisations import OrganisationRepository
from shared.runs import daily_run_id
from shared.storage import PageTokenSigner, StorageClients

log = logging.getLogger(__name__)
REFRESHED_STATUSES = frozenset({"connected", "error"})
MEMBER_RESERVE = 0.1  # of each app's signInActivity quota, kept for members' "refresh now"
START_AHEAD = 1.25  # messages become visible this much faster than the quota serves them
UNKNOWN_ACCOUNTS = SIGN_IN_PAGE  # a tenant never refreshed: one page until we know better
UK = ZoneInfo("Europe/London")
UK_WORKING_DAY = time(8, 0)


@dataclass(frozen=True, slots=True)
class PlannedRefresh:
    message: RefreshTenant
    delay_seconds: int  # when the message becomes visible, after the fan-out
    pages: int  # its expected signInActivity pages


@dataclass(frozen=True, slots=True)
class DailyPlan:
    refreshes: list[PlannedRefresh]
    pages: int  # on the busiest app
    finish: datetime  # when the busiest app's last page is expected
    deadline: datetime  # the start of the UK working day

    @property
    def on_time(self) -> bool:
        return self.finish <= self.deadline

    def describe(self) -> str:
        late = "" if self.on_time else f", {(self.finish - self.deadline).total_seconds() / 60:.0f} min late"
        return (
            f"daily plan: {len(self.refreshes)} organisations, {self.pages} signInActivity pages on the "
            f"busiest app, expected to finish {self.finish:%Y-%m-%d %H:%M} UTC against the UK working day at "
            f"{self.deadline:%H:%M} UTC{late}"
        )


def uk_working_day(after: datetime) -> datetime:
    """The next start of the UK working day (08:00 in London) after `after`, in UTC."""
    day = after.astimezone(UK).date()
    start = datetime.combine(day, UK_WORKING_DAY, UK)
    if start <= after:
        start = datetime.combine(day + timedelta(days=1), UK_WORKING_DAY, UK)
    return start.astimezone(ZoneInfo("UTC"))


def sign_in_pages(accounts: int) -> int:
    return max(1, math.ceil(accounts / SIGN_IN_PAGE))


def pages_per_second(scale: float = 1.0) -> float:
    """The signInActivity pages one app may read a second for all its tenants, less the members' share."""
    return SIGN_IN_ACTIVITY.requests / SIGN_IN_ACTIVITY.seconds * scale * (1 - MEMBER_RESERVE)


def daily_refresh_plan(
    clients: StorageClients, tokens: PageTokenSigner, now: datetime, *, scale: float = 1.0
) -> DailyPlan:
    today = now.date()
    run_id = daily_run_id(today)
    active = {o.org_id for o in OrganisationRepository(clients, tokens).list_active()}
    accounts = QuotaGovernor(clients, tokens).known_accounts()
    by_app: dict[str, list[tuple[int, RefreshTenant]]] = defaultdict(list)
    for org_id, integration in iter_connections(clients):
        if org_id not in active or integration.status not in REFRESHED_STATUSES:
            continue
        pages = sign_in_pages(accounts.get(integration.tenant_id.lower(), UNKNOWN_ACCOUNTS))
        message = RefreshTenant(org_id=org_id, run_id=run_id, as_of=today, trigger="schedule")
        by_app[integration.client_id.lower()].append((pages, message))
    rate = pages_per_second(scale)
    refreshes: list[PlannedRefresh] = []
    busiest = 0
    for tenants in by_app.values():
        before = 0
        for pages, message in sorted(tenants, key=lambda planned: planned[0]):
            delay = int(before / rate / START_AHEAD)
            refreshes.append(PlannedRefresh(message, delay, pages))
            before += pages
        busiest = max(busiest, before)
    plan = DailyPlan(refreshes, busiest, now + timedelta(seconds=busiest / rate), uk_working_day(now))
    (log.info if plan.on_time else log.warning)(plan.describe())
    return plan
