"""The provider's signing keys: OIDC discovery, then its JWKS, cached and refreshed at a bounded rate.

Discovery (`<discovery_url>`, by default `<issuer>/.well-known/openid-configuration`) names the key set;
its `issuer` must equal the configured issuer exactly, so a discovery URL pointing at another tenant or
policy cannot supply keys. Entra External ID and Azure AD B2C publish discovery at a URL that is not
`<issuer>/...` (B2C: `https://<t>.b2clogin.com/<t>.onmicrosoft.com/<policy>/v2.0/.well-known/...`
while `iss` is `https://<domain>/<tenant-guid>/v2.0/`; External ID: discovery under
`<subdomain>.ciamlogin.com`, `iss` under `<tenant-guid>.ciamlogin.com`), hence the separate setting.

Refresh rules (ASVS 9.1.3; B2C/Entra rotate keys and advise re-reading them, at least daily):
- an unknown `kid` triggers a refresh, but at most once per `min_refresh_interval`, so a flood of
  tokens with invented `kid`s cannot turn into a flood of requests to the provider;
- callers that arrive while a refresh is running wait for it instead of starting their own;
- the set is re-read when older than `max_age`; if that fails the old set stays in use (the keys were
  genuine when fetched) rather than failing every request while the provider is unreachable.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Mapping
from datetime import datetime, timedelta

import jwt
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from shared.identity.clock import Clock, system_clock
from shared.identity.errors import RejectReason, TokenRejectedError
from shared.identity.fetch import Fetch, FetchError, require_trusted_url, urllib_fetch

logger = logging.getLogger(__name__)

ALGORITHM = "RS256"
MIN_RSA_BITS = 2048
MAX_KEYS = 64
# Before the first successful fetch there is nothing to serve, so retry sooner than the refresh rate.
INITIAL_RETRY_INTERVAL = timedelta(seconds=10)


def discovery_url_for(issuer: str) -> str:
    """The OpenID Connect Discovery location for an issuer (OIDC Discovery 1.0 §4)."""
    return issuer.rstrip("/") + "/.well-known/openid-configuration"


def _json_object(body: bytes, what: str) -> Mapping[str, object]:
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        raise ValueError(f"{what} is not JSON") from None
    if not isinstance(document, dict):
        raise ValueError(f"{what} is not a JSON object")
    return document


def _usable_key(entry: object) -> tuple[str, jwt.PyJWK] | None:
    """An RS256 public signing key with a `kid`, or None for anything else in the set."""
    if not isinstance(entry, dict):
        return None
    kid = entry.get("kid")
    if (
        not isinstance(kid, str)
        or not kid
        or entry.get("kty") != "RSA"
        or entry.get("use", "sig") != "sig"
        or entry.get("alg", ALGORITHM) != ALGORITHM
    ):
        return None
    try:
        key = jwt.PyJWK(entry, algorithm=ALGORITHM)
    except jwt.PyJWTError:
        return None
    # A JWK with private members loads as a private key: it has no business in a published set.
    if not isinstance(key.key, RSAPublicKey) or key.key.key_size < MIN_RSA_BITS:
        return None
    return kid, key


def parse_jwks(body: bytes) -> dict[str, jwt.PyJWK]:
    """The usable keys of a JWKS document by `kid`. A `kid` published twice is dropped as ambiguous."""
    entries = _json_object(body, "JWKS").get("keys")
    if not isinstance(entries, list) or len(entries) > MAX_KEYS:
        raise ValueError("JWKS has no usable `keys` list")
    keys: dict[str, jwt.PyJWK] = {}
    ambiguous: set[str] = set()
    for entry in entries:
        usable = _usable_key(entry)
        if usable is None:
            continue
        kid, key = usable
        if kid in keys:
            ambiguous.add(kid)
        keys[kid] = key
    for kid in ambiguous:
        del keys[kid]
    if not keys:
        raise ValueError("JWKS holds no RS256 signing key")
    return keys


class JwksCache:
    """Signing keys of one issuer. Thread-safe; one instance per issuer per process."""

    def __init__(
        self,
        *,
        issuer: str,
        discovery_url: str | None = None,
        fetch: Fetch = urllib_fetch,
        clock: Clock = system_clock,
        min_refresh_interval: timedelta = timedelta(minutes=5),
        max_age: timedelta = timedelta(hours=1),
    ) -> None:
        self._issuer = issuer
        self._discovery_url = require_trusted_url(discovery_url or discovery_url_for(issuer))
        self._fetch = fetch
        self._clock = clock
        self._min_refresh_interval = min_refresh_interval
        self._max_age = max_age
        self._lock = threading.Lock()
        self._jwks_uri: str | None = None
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at: datetime | None = None
        self._last_attempt: datetime | None = None

    def signing_key(self, kid: str) -> jwt.PyJWK:
        """The published key with this `kid`; raises `TokenRejectedError` (unknown_key, keys_unavailable)."""
        key = self._keys.get(kid)
        if key is not None and not self._is_stale(self._clock()):
            return key
        with self._lock:
            # Whoever held the lock may just have refreshed: look again before fetching.
            now = self._clock()
            key = self._keys.get(kid)
            if (key is None or self._is_stale(now)) and self._may_refresh(now):
                self._refresh(now)
                key = self._keys.get(kid)
        if key is not None:
            return key
        raise TokenRejectedError(RejectReason.UNKNOWN_KEY if self._keys else RejectReason.KEYS_UNAVAILABLE)

    def _is_stale(self, now: datetime) -> bool:
        return self._fetched_at is None or now - self._fetched_at >= self._max_age

    def _may_refresh(self, now: datetime) -> bool:
        if self._last_attempt is None:
            return True
        interval = self._min_refresh_interval if self._keys else INITIAL_RETRY_INTERVAL
        # A clock that went backwards also allows a refresh, rather than blocking one indefinitely.
        return not self._last_attempt <= now < self._last_attempt + interval

    def _refresh(self, now: datetime) -> None:
        self._last_attempt = now
        try:
            if self._jwks_uri is None:
                self._jwks_uri = self._discover()
            keys = parse_jwks(self._fetch(self._jwks_uri))
        except (FetchError, ValueError) as error:
            # Rediscover next time: the key set may have moved. The old keys stay in use meanwhile.
            self._jwks_uri = None
            logger.warning("signing keys not refreshed: %s", error, extra={"issuer": self._issuer})
            return
        self._keys = keys
        self._fetched_at = now

    def _discover(self) -> str:
        document = _json_object(self._fetch(self._discovery_url), "discovery document")
        if document.get("issuer") != self._issuer:
            raise ValueError("discovery document names another issuer than the configured one")
        jwks_uri = document.get("jwks_uri")
        if not isinstance(jwks_uri, str):
            raise ValueError("discovery document has no jwks_uri")
        return require_trusted_url(jwks_uri)
