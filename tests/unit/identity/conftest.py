"""An in-memory identity provider: the local issuer's documents served through an injected fetch."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from dev.oidc.issuer import LocalIssuer
from shared.identity.fetch import FetchError
from shared.identity.jwks import JwksCache
from shared.identity.tokens import TokenValidator

ISSUER = "https://login.example.test/3f6a7e2c-0000-4000-8000-000000000001/v2.0"
START = datetime(2026, 3, 1, 9, 0, 0, tzinfo=UTC)


class FakeClock:
    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class MemoryFetch:
    """Serves URLs from callables and counts every request; `fail` makes every fetch fail."""

    def __init__(self) -> None:
        self.routes: dict[str, Callable[[], object]] = {}
        self.calls: Counter[str] = Counter()
        self.fail = False

    def __call__(self, url: str) -> bytes:
        self.calls[url] += 1
        if self.fail or url not in self.routes:
            raise FetchError("unreachable")
        return json.dumps(self.routes[url]()).encode()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def issuer(clock: FakeClock) -> LocalIssuer:
    return LocalIssuer(ISSUER, clock=clock)


@pytest.fixture
def fetch(issuer: LocalIssuer) -> MemoryFetch:
    memory = MemoryFetch()
    memory.routes[issuer.discovery_url] = issuer.discovery_document
    memory.routes[issuer.jwks_url] = issuer.jwks
    return memory


@pytest.fixture
def keys(fetch: MemoryFetch, clock: FakeClock) -> JwksCache:
    return JwksCache(issuer=ISSUER, fetch=fetch, clock=clock)


@pytest.fixture
def validator(issuer: LocalIssuer, keys: JwksCache, clock: FakeClock) -> TokenValidator:
    return TokenValidator(
        issuer=ISSUER, audience=issuer.audience, required_scope=issuer.scope, keys=keys, clock=clock
    )
