"""The single error a bearer token can raise, with a reason code safe to log and to audit."""

from __future__ import annotations

from enum import StrEnum


class RejectReason(StrEnum):
    MALFORMED = "malformed"  # not a compact JWS, bad JSON, missing/ill-typed claim, forbidden header
    UNSUPPORTED_ALGORITHM = "unsupported_algorithm"  # anything but RS256, including `none` and HS256
    UNKNOWN_KEY = "unknown_key"  # no published key has this `kid`, even after a refresh
    BAD_SIGNATURE = "bad_signature"
    WRONG_ISSUER = "wrong_issuer"
    WRONG_AUDIENCE = "wrong_audience"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"  # `nbf` or `iat` in the future beyond the leeway
    NOT_ACCESS_TOKEN = "not_access_token"  # noqa: S105 - an ID token, or no scope of ours
    # The provider's keys could not be fetched: not the caller's fault, so answer 503, not 401.
    KEYS_UNAVAILABLE = "keys_unavailable"


class TokenRejectedError(Exception):
    """A bearer token was refused. The message is only the reason code: never token contents."""

    def __init__(self, reason: RejectReason) -> None:
        super().__init__(f"token rejected: {reason.value}")
        self.reason = reason
