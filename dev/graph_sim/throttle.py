"""Microsoft Graph's throttling, each limit at its documented scope, for one simulator serving many tenants.

Source: https://learn.microsoft.com/graph/throttling-limits (the page warns the limits are subject to
change). "Any request can be evaluated against multiple limits, depending on the scope of the limit (per
app across all tenants, per tenant for all apps, per app per tenant …). The first limit to be reached
triggers throttling behavior." Modelled here:

- global: 130,000 requests per 10 s per app across all tenants;
- identity and access reports (users with signInActivity, userRegistrationDetails): any request 5 per
  10 s per app per tenant and 122 per 10 s per app for all tenants; `GET signInActivity` 10 per minute per
  app per tenant and 10 per minute per app for all tenants (one budget for every customer of an app);
- identity and access (users, groups, organization, subscribedSkus, roles, subscriptions): token buckets
  of resource units, 3,500 / 5,000 / 8,000 per 10 s per app+tenant pair for tenants under 50 / 50–500 /
  over 500 users, and 150,000 per 20 s per app; `GET users` costs 2, −1 with `$select`, +1 with
  `$expand`, −1 with `$top` < 20, never below 1; subscribedSkus 3; transitiveMembers 5;
- Microsoft 365 usage reports: 14 requests per 10 minutes per app per tenant and 40 per tenant for all
  apps, counted separately for each report API;
- identity protection and conditional access: 1 request per second per tenant for all apps; its 429
  carries no `Retry-After`;
- secureScores: 150 requests per minute per app per tenant (graph_api.md §5).

`Retry-After` is the wait until the refusing limit admits the request again, in whole seconds (rounded
up), except secureScores, which answers with fractional seconds. Every 429 names its limit in
`x-ms-throttle-scope` (`<Scope>/Read/<app id>/<tenant id>`), as Entra does.

`time_scale` shortens every window by that factor (multiplies every quota's rate) so a fleet's nightly
refresh runs in minutes; `Retry-After` is then the scaled wait in fractional seconds, since rounding a
scaled wait up to whole seconds would overstate it many times over.
"""

from __future__ import annotations

import math
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from dev.graph_sim.config import Endpoint


class Scope(StrEnum):
    """The scopes of `x-ms-throttle-scope`."""

    APP_TENANT = "Tenant_Application"  # one app's requests to one tenant
    TENANT = "Tenant"  # every app's requests to one tenant
    APP = "Application"  # one app's requests to every tenant


class RetryAfter(StrEnum):
    WHOLE = "whole"
    FRACTIONAL = "fractional"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class Limit:
    """`quota` requests (or resource units, with `units`) per `seconds`, counted per `scope`."""

    name: str
    scope: Scope
    quota: float
    seconds: float
    units: bool = False  # a token bucket of resource units rather than a sliding window of requests
    per_report: bool = False  # counted separately for each report API
    retry_after: RetryAfter = RetryAfter.WHOLE


GLOBAL = Limit("global", Scope.APP, 130_000, 10)
SIGN_IN_ACTIVITY = (
    Limit("signInActivity", Scope.APP_TENANT, 10, 60),
    Limit("signInActivity", Scope.APP, 10, 60),
)
ENTRA_REPORTS = (
    Limit("identityReports", Scope.APP_TENANT, 5, 10),
    Limit("identityReports", Scope.APP, 122, 10),
)
DIRECTORY = (
    Limit("directory", Scope.APP_TENANT, 8000, 10, units=True),  # quota by tenant size: `directory_units`
    Limit("directory", Scope.APP, 150_000, 20, units=True),
)
USAGE_REPORTS = (
    Limit("usageReports", Scope.APP_TENANT, 14, 600, per_report=True),
    Limit("usageReports", Scope.TENANT, 40, 600, per_report=True),
)
CONDITIONAL_ACCESS = (Limit("conditionalAccess", Scope.TENANT, 1, 1, retry_after=RetryAfter.NONE),)
SECURE_SCORES = (Limit("secureScores", Scope.APP_TENANT, 150, 60, retry_after=RetryAfter.FRACTIONAL),)

LIMITS: dict[Endpoint, tuple[Limit, ...]] = {
    Endpoint.USERS_SIGNIN: SIGN_IN_ACTIVITY + ENTRA_REPORTS,
    Endpoint.REGISTRATION_DETAILS: ENTRA_REPORTS,
    **{
        endpoint: DIRECTORY
        for endpoint in (
            Endpoint.USERS,
            Endpoint.GROUPS,
            Endpoint.ORGANIZATION,
            Endpoint.SUBSCRIBED_SKUS,
            Endpoint.ROLE_ASSIGNMENTS,
            Endpoint.SUBSCRIPTIONS,
            Endpoint.POLICIES,
            Endpoint.DOMAINS,
            Endpoint.APPLICATIONS,
        )
    },
    Endpoint.REPORTS: USAGE_REPORTS,
    Endpoint.CONDITIONAL_ACCESS: CONDITIONAL_ACCESS,
    Endpoint.SECURE_SCORES: SECURE_SCORES,
}


def directory_units(accounts: int) -> float:
    """The app+tenant resource-unit quota per 10 s by tenant size: S under 50 users, M 50–500, L above."""
    return 3500 if accounts < 50 else 5000 if accounts <= 500 else 8000


class Window:
    """At most `quota` requests in any `seconds`-long sliding window."""

    def __init__(self, quota: float, seconds: float) -> None:
        self._quota, self._seconds = quota, seconds
        self._times: deque[float] = deque()

    def wait(self, now: float, cost: float = 1) -> float:
        """Seconds until a request would be admitted; 0 when it would be now."""
        while self._times and now - self._times[0] >= self._seconds:
            self._times.popleft()
        if len(self._times) < self._quota:
            return 0.0
        return self._times[len(self._times) - int(self._quota)] + self._seconds - now

    def take(self, now: float, cost: float = 1) -> None:
        self._times.append(now)


class Bucket:
    """Token bucket of `quota` units refilled evenly over `seconds`."""

    def __init__(self, quota: float, seconds: float, clock: float) -> None:
        self._quota, self._rate = quota, quota / seconds
        self._level, self._stamp = quota, clock

    def _refill(self, now: float) -> None:
        self._level = min(self._quota, self._level + (now - self._stamp) * self._rate)
        self._stamp = now

    def wait(self, now: float, cost: float = 1) -> float:
        self._refill(now)
        return 0.0 if self._level >= cost else (cost - self._level) / self._rate

    def take(self, now: float, cost: float = 1) -> None:
        self._level -= cost


Limiter = Window | Bucket


@dataclass(frozen=True, slots=True)
class Request:
    """What throttling looks at: who asks (app), whom (tenant and its size), which endpoint, at what cost."""

    endpoint: Endpoint
    app: str
    tenant: str
    accounts: int = 2000
    cost: float = 1
    report: str = ""


@dataclass(frozen=True, slots=True)
class Refusal:
    limit: Limit
    wait: float
    retry_after: str | None  # the header's value; None: no header
    scope: str  # the header `x-ms-throttle-scope`


class Throttle:
    """Decides, per request, whether to answer 429; counts what it admitted and refused, per limit."""

    def __init__(
        self, time_scale: float = 1.0, *, enforcing: bool = True, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._scale = time_scale
        self._enforcing = enforcing  # False: count requests, refuse none (throttling off)
        self._clock = clock
        self._limiters: dict[tuple[str, ...], Limiter] = {}
        self.admitted: Counter[str] = Counter()  # per endpoint
        self.refused: Counter[str] = Counter()  # per "limit/scope"

    def _limiter(self, limit: Limit, request: Request, now: float) -> Limiter:
        owner = {
            Scope.APP_TENANT: (request.app, request.tenant),
            Scope.TENANT: (request.tenant,),
            Scope.APP: (request.app,),
        }[limit.scope]
        key = (limit.name, limit.scope.value, *owner, request.report if limit.per_report else "")
        limiter = self._limiters.get(key)
        if limiter is None:
            seconds = limit.seconds / self._scale
            if limit.units:
                quota = directory_units(request.accounts) if limit.scope is Scope.APP_TENANT else limit.quota
                limiter = Bucket(quota, seconds, now)
            else:
                limiter = Window(limit.quota, seconds)
            self._limiters[key] = limiter
        return limiter

    def check(self, request: Request) -> Refusal | None:
        """None: admitted (and counted by every limit it falls under); else the first limit that refuses."""
        if not self._enforcing:
            self.admitted[request.endpoint.value] += 1
            return None
        now = self._clock()
        limits = (GLOBAL, *LIMITS.get(request.endpoint, ()))
        limiters = [(limit, self._limiter(limit, request, now)) for limit in limits]
        for limit, limiter in limiters:
            cost = request.cost if limit.units else 1
            wait = limiter.wait(now, cost)
            if wait > 0:
                self.refused[f"{limit.name}/{limit.scope.value}"] += 1
                return Refusal(limit, wait, self._retry_after(limit, wait), self._scope(limit, request))
        for limit, limiter in limiters:
            limiter.take(now, request.cost if limit.units else 1)
        self.admitted[request.endpoint.value] += 1
        return None

    def _retry_after(self, limit: Limit, wait: float) -> str | None:
        if limit.retry_after is RetryAfter.NONE:
            return None
        if limit.retry_after is RetryAfter.FRACTIONAL or self._scale != 1:
            return f"{wait:.3f}"
        return str(max(1, math.ceil(wait)))

    @staticmethod
    def _scope(limit: Limit, request: Request) -> str:
        owner = request.app if limit.scope is Scope.APP else request.tenant
        return f"{limit.scope.value}/Read/{request.app}/{owner}"

    def counters(self) -> dict[str, dict[str, int]]:
        """Requests admitted per endpoint and 429s per limit and scope (e.g. `signInActivity/Application`)."""
        return {"admitted": dict(self.admitted), "refused": dict(self.refused)}
