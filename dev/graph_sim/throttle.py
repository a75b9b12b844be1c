"""Realistic throttling, per endpoint family, from Graph's published limits (graph_api.md §2, §7):

- directory (users, subscribedSkus, roles, subscriptions): token bucket of 8,000 resource units per 10 s
  (tenant size L); `GET users` costs 2, −1 with `$select`, +1 with `$expand`, −1 with `$top` < 20;
  subscribedSkus costs 3.
- Entra reports (users with signInActivity, userRegistrationDetails): 5 requests per 10 s.
- usage reports: 14 requests per 10 minutes, counted separately for each report API.
- Conditional Access: 1 request per second, and its 429 carries no Retry-After.
- secureScores: 150 requests per minute.

Retry-After is an integer (ceiling) except for secureScores, which answers with a fractional value, so
both forms reach a client in realistic mode.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable

from dev.graph_sim.config import Endpoint


class Window:
    """At most `limit` requests in any `seconds`-long sliding window."""

    def __init__(self, limit: int, seconds: float) -> None:
        self._limit, self._seconds = limit, seconds
        self._times: deque[float] = deque()

    def take(self, now: float, cost: float = 1) -> float | None:
        while self._times and now - self._times[0] >= self._seconds:
            self._times.popleft()
        if len(self._times) >= self._limit:
            return self._times[0] + self._seconds - now
        self._times.append(now)
        return None


class Bucket:
    """Token bucket of `capacity` units refilled evenly over `seconds`."""

    def __init__(self, capacity: float, seconds: float) -> None:
        self._capacity, self._rate = capacity, capacity / seconds
        self._level, self._stamp = capacity, time.monotonic()

    def take(self, now: float, cost: float = 1) -> float | None:
        self._level = min(self._capacity, self._level + (now - self._stamp) * self._rate)
        self._stamp = now
        if self._level < cost:
            return (cost - self._level) / self._rate
        self._level -= cost
        return None


Limiter = Window | Bucket


class Throttle:
    """Decides, per request, whether to answer 429 and with which Retry-After (None: header absent)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._directory = Bucket(8000, 10)
        self._entra_reports = Window(5, 10)
        self._usage_reports: dict[str, Window] = {}
        self._conditional_access = Window(1, 1)
        self._secure_scores = Window(150, 60)

    def check(self, endpoint: Endpoint, cost: float = 1, report: str = "") -> tuple[bool, str | None]:
        """(throttled, Retry-After header value)."""
        now = self._clock()
        limiter: Limiter
        if endpoint in (
            Endpoint.USERS,
            Endpoint.ORGANIZATION,
            Endpoint.SUBSCRIBED_SKUS,
            Endpoint.ROLE_ASSIGNMENTS,
            Endpoint.SUBSCRIPTIONS,
        ):
            limiter = self._directory
        elif endpoint in (Endpoint.USERS_SIGNIN, Endpoint.REGISTRATION_DETAILS):
            limiter = self._entra_reports
        elif endpoint is Endpoint.REPORTS:
            limiter = self._usage_reports.setdefault(report, Window(14, 600))
        elif endpoint is Endpoint.CONDITIONAL_ACCESS:
            return self._conditional_access.take(now) is not None, None
        elif endpoint is Endpoint.SECURE_SCORES:
            wait = self._secure_scores.take(now)
            return (wait is not None, None if wait is None else f"{wait:.3f}")
        else:
            return False, None
        wait = limiter.take(now, cost)
        return (wait is not None, None if wait is None else str(max(1, math.ceil(wait))))
