"""The fleet-wide governor of Microsoft Graph's shared quotas: a permit from Azure Storage before each
quota-limited request, whichever process or Function instance sends it.

Insight365 is one multi-tenant app, and some of Graph's limits count that app's requests to *every*
customer tenant together (https://learn.microsoft.com/graph/throttling-limits, "Identity and access
reports service limits"):

- `GET` users with `signInActivity`: 10 requests per minute per app per tenant, and 10 per minute per app
  for all tenants;
- every identity and access report (signInActivity, userRegistrationDetails, audit logs …): 5 requests
  per 10 s per app per tenant, and 122 per 10 s per app for all tenants.

Our other calls stay far inside their limits (one collector per tenant cannot approach 3,500 directory
resource units per 10 s, nor 14 calls to one usage report per 10 minutes, nor the fleet 130,000 requests
per 10 s), so only these two are governed.

Graph counts "per app" by application (client id): a fleet connected through one multi-tenant app shares
these budgets among all its customers; tenants connected through apps of their own each have their own.

How: each quota is a GCRA (generic cell rate algorithm) schedule kept in a row of the `quotas` table,
the *theoretical arrival time* `tat` of its next free slot. A worker reserves the next slot of every quota
a request spends, with one ETag-conditional write per row (the app-wide row, then its tenant's row), sleeps
until the slot and sends. Slots are spaced by the quota's period ÷ requests (plus a small margin for the
time a request takes to reach Graph), so no window of the quota's length ever holds more than its
requests: our own traffic never exceeds a shared quota, and a 429 is a rare event for the bounded retries,
not the pacing mechanism. A write that loses a race reads again; nothing is held in process. The margin is
also the only slack a late request has: a worker that wakes for its slot later than part of that slack
(a busy event loop, a paused instance) gives the slot up and reserves another, since sent late its request
would land inside the window of the requests after it and be refused (`GovernorConfig.late_share`).
Lateness counts from the slot, so a slot is never reserved nearer than the last reservation took: on an
idle schedule the worker holds its slot before it comes up, rather than already late by the round trip.

Fairness and priority: a worker holds at most one reservation per request it is about to send, and may
reserve only a short way ahead of now: the nightly batch `lookahead` intervals, a member's on-demand
refresh `MEMBER_LOOKAHEAD` intervals. When the schedule runs further ahead than that, batch workers wait
(with jitter) and try again, so every competing collector, whatever its tenant's size, wins slots at the
same rate (one 100k-account tenant cannot starve a 50-account one), and a member's refresh, allowed to
reserve further ahead, takes the next slot before any batch worker.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

import httpx
from kiota_http.middleware.middleware import BaseMiddleware

from shared.ownership import Rows, TableOwner
from shared.services import Services
from shared.storage import (
    ConcurrencyError,
    NotFoundError,
    PageTokenSigner,
    SharedTable,
    StorageClients,
    TableName,
    TablePartition,
    TenantContext,
)

log = logging.getLogger(__name__)
PARTITION = "graph"
APP_ROW = "app|"  # + client id: the app's quotas for all tenants
TENANT_ROW = "tenant|"  # + tenant id | client id: the app's quotas in one tenant, and its size for the plan
ACCOUNTS = "accounts"


@dataclass(frozen=True, slots=True)
class Quota:
    """`requests` per `seconds`, named by the row property that holds its schedule."""

    name: str
    requests: int
    seconds: float


# learn.microsoft.com/graph/throttling-limits, "Identity and access reports service limits".
SIGN_IN_ACTIVITY = Quota("signin_tat", 10, 60)  # per app per tenant, and per app for all tenants
IDENTITY_REPORTS_ALL_TENANTS = Quota("reports_tat", 122, 10)
IDENTITY_REPORTS_PER_TENANT = Quota("reports_tat", 5, 10)


@dataclass(frozen=True, slots=True)
class Demand:
    """The quotas one request spends: the app's for all tenants, and the app's in its tenant."""

    app: tuple[Quota, ...]
    tenant: tuple[Quota, ...]


SIGN_IN_REQUEST = Demand(
    (SIGN_IN_ACTIVITY, IDENTITY_REPORTS_ALL_TENANTS), (SIGN_IN_ACTIVITY, IDENTITY_REPORTS_PER_TENANT)
)
IDENTITY_REPORT_REQUEST = Demand((IDENTITY_REPORTS_ALL_TENANTS,), (IDENTITY_REPORTS_PER_TENANT,))
_IDENTITY_REPORT_PATHS = ("/reports/authenticationMethods/userRegistrationDetails", "/auditLogs/")


def demand_of(url: httpx.URL) -> Demand | None:
    """The shared quotas a Graph request spends; None for one no shared quota limits."""
    path = url.path.rstrip("/")
    if path.endswith("/users") and b"signinactivity" in url.query.lower():
        return SIGN_IN_REQUEST
    if any(part in path for part in _IDENTITY_REPORT_PATHS):
        return IDENTITY_REPORT_REQUEST
    return None


class Priority(IntEnum):
    MEMBER = 0  # a refresh a member asked for: ahead of the nightly batch
    BATCH = 1  # the nightly refresh of the whole fleet


@dataclass(frozen=True, slots=True)
class GovernorConfig:
    # Every quota multiplied by this: 1 against Microsoft Graph; more against a time-scaled simulator.
    scale: float = 1.0
    # Slots a little further apart than the quota allows, for the time a request takes to reach Graph.
    margin: float = 0.03
    lookahead: float = 2.0  # how many intervals ahead the nightly batch may reserve
    member_lookahead: float = 30.0  # and a member's refresh
    min_lookahead_seconds: float = 0.25  # never less (storage round trips of a time-scaled schedule)
    # A worker that wakes this share of the margin's slack after its slot (a busy event loop, a paused
    # instance) gives the slot up and reserves another: sent late, its request would land in the next
    # requests' window. The rest of the slack covers the request's way to Graph.
    late_share: float = 0.5


@dataclass(slots=True)
class GovernorStats:
    permits: int = 0
    waited_seconds: float = 0.0
    conflicts: int = 0  # writes that lost a race and read again
    missed: int = 0  # slots given up because the worker woke too late to use them


@dataclass(frozen=True, slots=True)
class _Row:
    key: str
    properties: Mapping[str, Any]
    etag: str | None  # None: the row does not exist yet


class QuotaGovernor:
    """Permits from the shared schedules in the `quotas` table. Thread- and process-safe; build one per
    process (or per worker) and share it between sessions."""

    def __init__(
        self,
        clients: StorageClients,
        tokens: PageTokenSigner,
        config: GovernorConfig | None = None,
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._rows: TablePartition = SharedTable(clients, TableName.QUOTAS, tokens=tokens).partition(
            PARTITION
        )
        self.config = config or GovernorConfig()
        self._clock = clock
        self._sleep = sleep
        self.stats = GovernorStats()
        self._lead = 0.0  # how long the last reservation took

    def interval(self, quota: Quota) -> float:
        """Seconds between two slots of `quota`."""
        return quota.seconds / quota.requests / self.config.scale * (1 + self.config.margin)

    def _lookahead(self, demand: Demand, priority: Priority) -> float:
        intervals = self.config.member_lookahead if priority is Priority.MEMBER else self.config.lookahead
        widest = max(self.interval(quota) for quota in (*demand.app, *demand.tenant))
        minimum = self.config.min_lookahead_seconds * (4 if priority is Priority.MEMBER else 1)
        return max(intervals * widest, minimum)

    def _late_tolerance(self, demand: Demand) -> float:
        """How late after its slot a request may still go. A quota's `requests` back-to-back slots span
        its window plus the margin, so a request sent up to margin × window late (on its way to Graph
        included) still never makes a window hold more than the quota; `late_share` of that is for
        waking up, measured on the quota whose slots are widest (the one a busy schedule is dense in)."""
        widest = max((*demand.app, *demand.tenant), key=self.interval)
        return self.config.late_share * self.config.margin * widest.seconds / self.config.scale

    def _read(self, key: str) -> _Row:
        try:
            entity = self._rows.get(key)
        except NotFoundError:
            return _Row(key, {}, None)
        return _Row(key, entity.properties, entity.etag)

    def _reserve(self, row: _Row, quotas: tuple[Quota, ...], slot: float) -> None:
        """Move each quota's schedule past `slot`; `ConcurrencyError` when someone wrote the row since."""
        update = {quota.name: slot + self.interval(quota) for quota in quotas}
        if row.etag is None:
            self._rows.insert(row.key, update)
        else:
            self._rows.update(row.key, update, etag=row.etag, merge=True)

    def _try(self, demand: Demand, app_id: str, tenant_id: str, lookahead: float, lead: float) -> float:
        """One attempt (blocking storage calls): the reserved slot's time, or -wait when it is too far.
        `lead`: how long a reservation takes, so that a slot of an idle schedule is not already past
        (and its slack spent) by the time the worker holds it."""
        tenant = self._read(_tenant_row(tenant_id, app_id))
        app = self._read(APP_ROW + app_id.lower())
        now = self._clock()
        slot = max(
            [now + lead]
            + [float(app.properties.get(q.name, 0.0)) for q in demand.app]
            + [float(tenant.properties.get(q.name, 0.0)) for q in demand.tenant]
        )
        if slot - now > lookahead:
            return -(slot - now - lookahead)
        # The shared row first: it is the contended one. If the tenant's row then moved (another
        # collector of the same tenant, rare), the app's slot goes unused: slower, never over a quota.
        self._reserve(app, demand.app, slot)
        self._reserve(tenant, demand.tenant, slot)
        return slot

    async def acquire(
        self, demand: Demand, app_id: str, tenant_id: str, priority: Priority = Priority.BATCH
    ) -> float:
        """Wait for a permit for app `app_id` (client id) to send one request that spends `demand` in
        `tenant_id`; the seconds waited."""
        started = self._clock()
        while True:
            slot = await self._next_slot(demand, app_id, tenant_id, priority)
            await self._sleep(max(0.0, slot - self._clock()))
            # Lateness counts from the slot itself, the time the schedule's next slot was spaced from.
            if self._clock() - slot <= self._late_tolerance(demand):
                break
            self.stats.missed += 1
        waited = self._clock() - started
        self.stats.permits += 1
        self.stats.waited_seconds += waited
        return waited

    async def _next_slot(self, demand: Demand, app_id: str, tenant_id: str, priority: Priority) -> float:
        """The time of a slot reserved in every schedule `demand` spends."""
        lookahead = self._lookahead(demand, priority)
        while True:
            began = self._clock()
            try:
                slot = await asyncio.to_thread(self._try, demand, app_id, tenant_id, lookahead, self._lead)
            except ConcurrencyError:  # AlreadyExistsError too: another worker created the row first
                self.stats.conflicts += 1
                await self._sleep(random.uniform(0, 0.01))  # noqa: S311 -- jitter, not security
                continue
            if slot >= 0:
                self._lead = self._clock() - began
                return slot
            # Too far ahead: wait until the schedule is within reach, spread over one slot of its widest
            # quota so the waiters come back one by one rather than all race for the same row at once.
            spread = max(self.interval(q) for q in (*demand.app, *demand.tenant))
            await self._sleep(-slot + random.uniform(0, spread))  # noqa: S311

    def record_accounts(self, app_id: str, tenant_id: str, accounts: int) -> None:
        """Remember a tenant's size (from its latest refresh): the daily plan's estimate of its pages."""
        self._rows.upsert(_tenant_row(tenant_id, app_id), {ACCOUNTS: accounts}, merge=True)

    def known_accounts(self) -> dict[str, int]:
        """Every tenant's size as last recorded, by tenant id (one query)."""
        return {
            entity.row_key.split("|")[1]: int(entity.properties[ACCOUNTS])
            for entity in self._rows.query(prefix=TENANT_ROW, select=["RowKey", ACCOUNTS])
            if entity.properties.get(ACCOUNTS) is not None
        }


def _tenant_row(tenant_id: str, app_id: str) -> str:
    return f"{TENANT_ROW}{tenant_id.lower()}|{app_id.lower()}"


@dataclass(frozen=True, slots=True)
class QuotaGate:
    """A governor bound to one session's app, tenant and priority."""

    governor: QuotaGovernor
    app_id: str  # the client id: Graph counts "per app" by application
    tenant_id: str
    priority: Priority = Priority.BATCH
    waited: list[float] = field(default_factory=list)

    async def before(self, request: httpx.Request) -> None:
        demand = demand_of(request.url)
        if demand is not None:
            waited = await self.governor.acquire(demand, self.app_id, self.tenant_id, self.priority)
            self.waited.append(waited)


class QuotaHandler(BaseMiddleware):
    """kiota middleware: a permit before every request a shared quota limits, retries included."""

    def __init__(self, gate: QuotaGate) -> None:
        super().__init__()
        self._gate = gate

    async def send(self, request: httpx.Request, transport: httpx.AsyncBaseTransport) -> httpx.Response:
        await self._gate.before(request)
        return await super().send(request, transport)


def _tenant_rows(services: Services, tenant: TenantContext) -> list[Rows]:
    """The schedules of the organisation's Microsoft 365 tenant (one per app it connected through)."""
    integration = services.org(tenant).integration.find()
    if integration is None:
        return []
    rows = SharedTable(services.storage, TableName.QUOTAS, tokens=services.page_signer).partition(PARTITION)
    prefix = f"{TENANT_ROW}{integration.tenant_id.lower()}|"
    return [Rows(rows, [entity.row_key for entity in rows.query(prefix=prefix, select=["RowKey"])])]


QUOTAS_OWNER = TableOwner(
    table=TableName.QUOTAS,
    module=__name__,
    organisation_rows=_tenant_rows,
    keeps="names no member; a schedule row is overwritten as it is used, never outdated",
)
