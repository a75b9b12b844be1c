"""Retries for throttled and unavailable Graph responses, honouring `Retry-After` within a bound.

kiota's RetryHandler parses `Retry-After` with `int()`, so Graph's fractional values ("2.128"; the header
is described in https://learn.microsoft.com/graph/throttling) fall back to its 3-second-plus backoff,
and it will wait any integer value the server names. This middleware takes seconds as a float (or an
HTTP date), backs off exponentially with jitter when the header is absent (Conditional Access sends
none), and gives the response back to the caller when the next wait would break a per-wait or
per-request bound, so no invocation sleeps unboundedly.
"""

from __future__ import annotations

import asyncio
import math
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx
from kiota_http.middleware.middleware import BaseMiddleware

RETRY_STATUSES = frozenset({429, 503, 504})
RETRY_ATTEMPT_HEADER = "Retry-Attempt"


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts: int = 8  # including the first
    max_wait_seconds: float = 60.0  # a single wait longer than this is not attempted
    total_wait_seconds: float = 180.0  # nor is one that takes the request's waiting past this
    backoff_base_seconds: float = 1.0  # without Retry-After: base·2^(n-1), jittered, capped at max_wait
    # A 200 page that is cut off, not JSON or not a page (a proxy's HTML error page), or a connection
    # dropped mid-body, is read again up to this many times in all (GraphSession).
    malformed_attempts: int = 3

    def backoff(self, attempt: int) -> float:
        """The wait before retry `attempt` (1-based) when the server names none: exponential, jittered."""
        base = self.backoff_base_seconds * 2.0 ** (attempt - 1)
        return min(self.max_wait_seconds, base) * (0.5 + random.random() / 2)  # noqa: S311


def parse_retry_after(
    value: str | None, now: Callable[[], datetime] = lambda: datetime.now(UTC)
) -> float | None:
    """Seconds to wait: a non-negative (possibly fractional) number, or an HTTP date; None if unusable."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - now()).total_seconds()
    return max(0.0, float(seconds)) if math.isfinite(seconds) else None


class BoundedRetryHandler(BaseMiddleware):
    def __init__(
        self,
        policy: RetryPolicy,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        super().__init__()
        self._policy = policy
        self._sleep = sleep

    async def send(self, request: httpx.Request, transport: httpx.AsyncBaseTransport) -> httpx.Response:
        waited = 0.0
        attempt = 1
        while True:
            response = await super().send(request, transport)
            if response.status_code not in RETRY_STATUSES or attempt >= self._policy.max_attempts:
                return response
            delay = parse_retry_after(response.headers.get("Retry-After"))
            if delay is None:
                delay = self._policy.backoff(attempt)
            if delay > self._policy.max_wait_seconds or waited + delay > self._policy.total_wait_seconds:
                return response
            await response.aclose()
            await self._sleep(delay)
            waited += delay
            request.headers[RETRY_ATTEMPT_HEADER] = str(attempt)
            attempt += 1
