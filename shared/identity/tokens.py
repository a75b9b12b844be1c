"""Bearer access-token validation (ASVS 5.0 V9 / V10.3).

Checks, in order, each failure one `TokenRejectedError` reason:
1. shape: a compact JWS of bounded size; no `jku`/`jwk`/`x5u`/`x5c` (keys come only from the configured
   issuer's JWKS, ASVS 9.1.3), no `crit`/`b64`/`zip`/`enc`;
2. `alg` is RS256 and nothing else (no `none`, no HS256 keyed with the public key, no ES256), and
   PyJWT checks it again against the key (`algorithms=["RS256"]`, a PyJWK built for RS256 only);
3. the key comes from the JWKS by `kid` (see `jwks.py`); PyJWT verifies the signature, the exact `iss`
   (no trailing-slash tolerance: `iss` is compared as a string), and that `aud` (string or list)
   contains our audience;
4. `exp`, `nbf` and `iat` against the injected clock with at most 60 s leeway (PyJWT reads the system
   clock, so its own time checks are off and these few comparisons are done here);
5. it is an access token for this API (see `_require_access_token`).

The user is (`iss`, `sub`) alone (ASVS 10.3.3; Microsoft: never `email`/`upn` for authorisation).
"""

from __future__ import annotations

import hashlib
import math
from datetime import UTC, datetime
from typing import Any

import jwt
from pydantic import BaseModel, ConfigDict, Field, computed_field

from shared.identity.clock import Clock, system_clock
from shared.identity.errors import RejectReason, TokenRejectedError
from shared.identity.jwks import ALGORITHM, JwksCache

MAX_LEEWAY_SECONDS = 60
MAX_TOKEN_CHARS = 16 * 1024
MAX_KID_CHARS = 256
MAX_SUBJECT_CHARS = 256
MAX_NAME_CHARS = 100
MAX_EMAIL_CHARS = 254
# Headers that would let the token choose its own key or change how it is parsed.
FORBIDDEN_HEADERS = frozenset({"jku", "jwk", "x5u", "x5c", "crit", "b64", "zip", "enc"})
# Entra and B2C access tokens say `JWT` (so do their ID tokens); RFC 9068 access tokens say `at+jwt`.
# Anything else (`dpop+jwt`, `logout+jwt`, `secevent+jwt`, ...) is another kind of signed object.
ACCESS_TOKEN_TYPES = frozenset({"jwt", "at+jwt", "application/at+jwt"})

_PYJWT_REASONS: tuple[tuple[type[jwt.PyJWTError], RejectReason], ...] = (
    (jwt.InvalidSignatureError, RejectReason.BAD_SIGNATURE),
    (jwt.InvalidAlgorithmError, RejectReason.UNSUPPORTED_ALGORITHM),
    (jwt.InvalidIssuerError, RejectReason.WRONG_ISSUER),
    (jwt.InvalidAudienceError, RejectReason.WRONG_AUDIENCE),
)


def identity_key(issuer: str, subject: str) -> str:
    """The stable login key of a user: hex SHA-256 of `iss` + newline + `sub` (the `identities` row)."""
    return hashlib.sha256(f"{issuer}\n{subject}".encode()).hexdigest()


class VerifiedToken(BaseModel):
    """What a validated access token says. Personal fields stay out of `repr`, so out of logs."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    issuer: str
    subject: str
    scopes: frozenset[str]
    expires_at: datetime
    email: str | None = Field(default=None, repr=False)
    given_name: str | None = Field(default=None, repr=False)
    family_name: str | None = Field(default=None, repr=False)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def identity_key(self) -> str:
        return identity_key(self.issuer, self.subject)


def _numeric_date(claims: dict[str, Any], name: str) -> float | None:
    value = claims.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise TokenRejectedError(RejectReason.MALFORMED)
    return float(value)


def _text(value: object, limit: int) -> str | None:
    """A display string from a claim, or None if absent or implausible (names are not security data)."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not value or len(value) > limit or not value.isprintable():
        return None
    return value


def _plausible_email(value: object) -> str | None:
    """The address exactly as issued (no trimming: it is matched against invitations), if plausible."""
    email = _text(value, MAX_EMAIL_CHARS)
    if email is None or email != value or " " in email or email.count("@") != 1:
        return None
    local, domain = email.split("@")
    return email if local and "." in domain.strip(".") else None


def _scopes(claims: dict[str, Any]) -> frozenset[str]:
    """Delegated scopes: Entra/B2C put them in `scp`, RFC 9068 in `scope`; both space-separated."""
    scopes: set[str] = set()
    for name in ("scp", "scope"):
        value = claims.get(name)
        if isinstance(value, str):
            scopes.update(value.split())
    return frozenset(scopes)


class TokenValidator:
    """Validates bearer access tokens of one issuer for one API. Thread-safe."""

    def __init__(
        self,
        *,
        issuer: str,
        audience: str,
        required_scope: str,
        keys: JwksCache,
        clock: Clock = system_clock,
        leeway_seconds: int = MAX_LEEWAY_SECONDS,
        email_verified_by_issuer: bool = False,
    ) -> None:
        """`email_verified_by_issuer`: trust an `email`/`emails` claim that comes without
        `email_verified`, because the provider only issues addresses it verified (External ID email
        sign-up and B2C local-account user flows verify the address by a one-time code). Leave it off
        for providers that may issue unverified addresses (e.g. federated or admin-created accounts).
        """
        if not 0 <= leeway_seconds <= MAX_LEEWAY_SECONDS:
            raise ValueError(f"leeway must be between 0 and {MAX_LEEWAY_SECONDS} seconds")
        if not issuer or not audience:
            raise ValueError("issuer and audience are required")
        if not required_scope or len(required_scope.split()) != 1:
            raise ValueError("required_scope must be a single scope name")
        self._issuer = issuer
        self._audience = audience
        self._required_scope = required_scope
        self._keys = keys
        self._clock = clock
        self._leeway = leeway_seconds
        self._email_verified_by_issuer = email_verified_by_issuer

    def validate(self, token: str) -> VerifiedToken:
        """Return the verified token, or raise `TokenRejectedError` with the first failed check."""
        header = self._checked_header(token)
        key = self._keys.signing_key(header["kid"])
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                audience=self._audience,
                issuer=self._issuer,
                options={
                    "require": ["iss", "sub", "aud", "exp", "iat"],
                    "verify_exp": False,
                    "verify_nbf": False,
                    "verify_iat": False,
                    "enforce_minimum_key_length": True,
                },
            )
        except jwt.PyJWTError as error:
            # `from None`: PyJWT messages can quote claim values, which must not reach logs.
            raise TokenRejectedError(self._reason(error)) from None
        expires_at = self._check_times(claims)
        scopes = self._require_access_token(claims)
        subject = claims["sub"]
        if not isinstance(subject, str) or not subject or len(subject) > MAX_SUBJECT_CHARS:
            raise TokenRejectedError(RejectReason.MALFORMED)
        return VerifiedToken(
            issuer=self._issuer,
            subject=subject,
            scopes=scopes,
            expires_at=expires_at,
            email=self._verified_email(claims),
            given_name=_text(claims.get("given_name"), MAX_NAME_CHARS),
            family_name=_text(claims.get("family_name"), MAX_NAME_CHARS),
        )

    def _checked_header(self, token: str) -> dict[str, Any]:
        if not isinstance(token, str) or len(token) > MAX_TOKEN_CHARS or not token.isascii():
            raise TokenRejectedError(RejectReason.MALFORMED)
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise TokenRejectedError(RejectReason.MALFORMED) from None
        if FORBIDDEN_HEADERS & header.keys():
            raise TokenRejectedError(RejectReason.MALFORMED)
        if header.get("alg") != ALGORITHM:
            raise TokenRejectedError(RejectReason.UNSUPPORTED_ALGORITHM)
        typ = header.get("typ", "JWT")
        if not isinstance(typ, str) or typ.lower() not in ACCESS_TOKEN_TYPES:
            raise TokenRejectedError(RejectReason.NOT_ACCESS_TOKEN)
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid or len(kid) > MAX_KID_CHARS:
            raise TokenRejectedError(RejectReason.MALFORMED)
        return header

    @staticmethod
    def _reason(error: jwt.PyJWTError) -> RejectReason:
        for error_type, reason in _PYJWT_REASONS:
            if isinstance(error, error_type):
                return reason
        return RejectReason.MALFORMED

    def _check_times(self, claims: dict[str, Any]) -> datetime:
        now = self._clock().timestamp()
        expires, issued, not_before = (_numeric_date(claims, name) for name in ("exp", "iat", "nbf"))
        if expires is None or issued is None:
            raise TokenRejectedError(RejectReason.MALFORMED)
        if expires <= now - self._leeway:
            raise TokenRejectedError(RejectReason.EXPIRED)
        if issued > now + self._leeway or (not_before is not None and not_before > now + self._leeway):
            raise TokenRejectedError(RejectReason.NOT_YET_VALID)
        try:
            return datetime.fromtimestamp(expires, UTC)
        except (OverflowError, OSError, ValueError):
            raise TokenRejectedError(RejectReason.MALFORMED) from None

    def _require_access_token(self, claims: dict[str, Any]) -> frozenset[str]:
        """An access token for this API: it carries our delegated scope and no `nonce`.

        `typ` cannot tell the two apart for Microsoft (Entra and B2C label ID tokens and access tokens
        alike `JWT`), and with B2C an SPA and its API often share one app registration, so an ID token
        can carry our `aud`. What does separate them on every provider: ID tokens have no `scp`/`scope`
        and B2C/OIDC ID tokens carry the sign-in `nonce`. So the scope is required even for `at+jwt`
        tokens (ASVS 10.3.2: authorise on delegated scopes). App-only tokens (client credentials,
        `roles` without `scp`) are refused too: this API acts only for signed-in users.
        """
        if "nonce" in claims:
            raise TokenRejectedError(RejectReason.NOT_ACCESS_TOKEN)
        scopes = _scopes(claims)
        if self._required_scope not in scopes:
            raise TokenRejectedError(RejectReason.NOT_ACCESS_TOKEN)
        return scopes

    def _verified_email(self, claims: dict[str, Any]) -> str | None:
        """The email only if verified: `email_verified` must be JSON `true` when present; when absent
        the address counts only if the issuer is configured as verifying every address it issues.
        B2C local accounts put the address in `emails` (a list); one unambiguous entry is accepted."""
        verified = claims.get("email_verified")
        if verified is not True and (verified is not None or not self._email_verified_by_issuer):
            return None
        candidate = claims.get("email")
        emails = claims.get("emails")
        if candidate is None and isinstance(emails, list) and len(emails) == 1:
            candidate = emails[0]
        return _plausible_email(candidate)
