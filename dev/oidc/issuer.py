"""The local issuer's logic without HTTP: its documents, its keys, and the tokens it mints.

Good tokens look like Entra External ID access tokens (`typ` "JWT", `scp`, `ver` "2.0", `aud` the API).
The `mint_id_token` and `forge_*` methods exist for negative tests; each makes one thing wrong and
leaves the rest valid, so a test that expects a refusal proves that one check.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import jwt

from dev.oidc.keys import SigningKey
from shared.identity.clock import Clock, system_clock

DEFAULT_AUDIENCE = "api://insight365-local"
DEFAULT_SCOPE = "access_as_user"
DEFAULT_LIFETIME = timedelta(hours=1)
# How long a rotated-out key stays in the JWKS: tokens it signed remain verifiable until they expire.
RETIRED_KEY_GRACE = timedelta(hours=2)
JWKS_PATH = "/discovery/v2.0/keys"
TOKEN_PATH = "/dev/token"  # noqa: S105 - a URL path, not a secret
# Subjects for `subject_for_email` derive from this, so a demo email keeps its `sub` across restarts.
_DEMO_SUBJECTS = uuid.UUID("6f1d1f6e-2b0c-4d5e-9a47-1e5c0b7a9d31")


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _json_segment(value: dict[str, Any]) -> str:
    return _b64url(json.dumps(value, separators=(",", ":")).encode())


def subject_for_email(email: str) -> str:
    """A stable, opaque `sub` for a demo email (real providers' subjects are opaque too)."""
    return str(uuid.uuid5(_DEMO_SUBJECTS, email.strip().lower()))


@dataclass(frozen=True)
class _RetiredKey:
    key: SigningKey
    retired_at: datetime


class LocalIssuer:
    """Keys, documents and tokens of one local issuer. Thread-safe: the HTTP thread reads the keys
    while a test rotates them."""

    def __init__(
        self,
        issuer_url: str,
        *,
        audience: str = DEFAULT_AUDIENCE,
        scope: str = DEFAULT_SCOPE,
        key: SigningKey | None = None,
        clock: Clock = system_clock,
    ) -> None:
        self.issuer_url = issuer_url
        self.audience = audience
        self.scope = scope
        self._clock = clock
        self._lock = threading.Lock()
        self._current = key or SigningKey.generate()
        self._retired: list[_RetiredKey] = []

    # -- documents ---------------------------------------------------------------------------------

    @property
    def discovery_url(self) -> str:
        return self.issuer_url + "/.well-known/openid-configuration"

    @property
    def jwks_url(self) -> str:
        return self.issuer_url + JWKS_PATH

    def discovery_document(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer_url,
            "jwks_uri": self.jwks_url,
            "token_endpoint": self.issuer_url + TOKEN_PATH,
            "response_types_supported": ["token"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": [self.scope],
            "claims_supported": ["sub", "iss", "aud", "exp", "iat", "nbf", "email", "email_verified"],
        }

    def jwks(self) -> dict[str, Any]:
        now = self._clock()
        with self._lock:
            self._retired = [old for old in self._retired if now < old.retired_at + RETIRED_KEY_GRACE]
            published = [self._current, *(old.key for old in self._retired)]
        return {"keys": [key.public_jwk() for key in published]}

    # -- keys --------------------------------------------------------------------------------------

    @property
    def current_key(self) -> SigningKey:
        with self._lock:
            return self._current

    def rotate_key(self, new_key: SigningKey | None = None) -> SigningKey:
        """Sign with a new key from now on; the old one stays published for `RETIRED_KEY_GRACE`."""
        new_key = new_key or SigningKey.generate()
        with self._lock:
            self._retired.append(_RetiredKey(self._current, self._clock()))
            self._current = new_key
        return new_key

    # -- good tokens -------------------------------------------------------------------------------

    def access_claims(
        self,
        *,
        subject: str,
        email: str | None = None,
        email_verified: bool | None = True,
        given_name: str | None = None,
        family_name: str | None = None,
        audience: str | list[str] | None = None,
        scope: str | None = None,
        issuer: str | None = None,
        issued_at: datetime | None = None,
        lifetime: timedelta = DEFAULT_LIFETIME,
        not_before: datetime | None = None,
    ) -> dict[str, Any]:
        """The claims of an access token; every argument overrides one claim."""
        issued = issued_at or self._clock()
        claims: dict[str, Any] = {
            "iss": self.issuer_url if issuer is None else issuer,
            "sub": subject,
            "aud": self.audience if audience is None else audience,
            "scp": self.scope if scope is None else scope,
            "iat": int(issued.timestamp()),
            "nbf": int((not_before or issued).timestamp()),
            "exp": int((issued + lifetime).timestamp()),
            "ver": "2.0",
            "jti": str(uuid.uuid4()),
        }
        optional = {"given_name": given_name, "family_name": family_name, "email": email}
        claims |= {name: value for name, value in optional.items() if value is not None}
        if email is not None and email_verified is not None:
            claims["email_verified"] = email_verified
        return claims

    def sign(self, claims: dict[str, Any], *, headers: dict[str, Any] | None = None) -> str:
        """RS256-sign `claims` with the current key; `headers` are added to (or override) the header."""
        key = self.current_key
        return jwt.encode(
            claims, key.private_key, algorithm="RS256", headers={"kid": key.kid} | (headers or {})
        )

    def mint_access_token(self, *, subject: str, **overrides: Any) -> str:
        """A valid access token for `subject`; keyword arguments as `access_claims` (email, given_name,
        family_name, audience, scope, issuer, issued_at, lifetime, not_before, email_verified)."""
        return self.sign(self.access_claims(subject=subject, **overrides))

    def mint_for_email(
        self, email: str, *, given_name: str | None = None, family_name: str | None = None
    ) -> str:
        """What `POST /dev/token` answers: a token for the demo user with this (verified) email."""
        return self.mint_access_token(
            subject=subject_for_email(email), email=email, given_name=given_name, family_name=family_name
        )

    # -- bad tokens, for negative tests ------------------------------------------------------------

    def mint_id_token(self, *, subject: str, email: str | None = None, nonce: str = "n-0S6_WzA2Mj") -> str:
        """A genuine ID token, addressed to the API's own audience (as when SPA and API share one app
        registration): correctly signed, so only the access-token rule can refuse it."""
        claims = self.access_claims(subject=subject, email=email)
        del claims["scp"]
        return self.sign(claims | {"nonce": nonce})

    def forge_alg_none(self, claims: dict[str, Any]) -> str:
        """An unsigned token (`alg: none`) naming the current key."""
        header = {"alg": "none", "typ": "JWT", "kid": self.current_key.kid}
        return f"{_json_segment(header)}.{_json_segment(claims)}."

    def forge_hs256_with_public_key(self, claims: dict[str, Any]) -> str:
        """The key-confusion attack: HS256 keyed with the issuer's public key (PEM), which anyone has.
        Built by hand because PyJWT rightly refuses to use a public key as an HMAC secret."""
        header = {"alg": "HS256", "typ": "JWT", "kid": self.current_key.kid}
        signing_input = f"{_json_segment(header)}.{_json_segment(claims)}"
        mac = hmac.new(self.current_key.public_pem(), signing_input.encode(), hashlib.sha256).digest()
        return f"{signing_input}.{_b64url(mac)}"

    def forge_with_other_key(self, claims: dict[str, Any], *, kid: str | None = None) -> str:
        """Signed by a key the issuer never published; by default under the current key's `kid`
        (a forged signature), or under `kid` (e.g. a new, unknown one)."""
        other = SigningKey.generate()
        return jwt.encode(
            claims, other.private_key, algorithm="RS256", headers={"kid": kid or self.current_key.kid}
        )
