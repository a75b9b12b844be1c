"""Opaque paging tokens, bound to the partition they were issued for.

A token is `base64url(position) "." base64url(HMAC-SHA256(key, scope || position))`, where the scope
names the table and partition. A token issued for organisation A therefore fails verification when
presented to organisation B's repository, and a client cannot forge or edit one. (The query filter
pins the partition anyway; the signature makes a foreign or tampered token a clear 400, not a quiet
empty page.)
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json

from shared.storage.errors import InvalidArgumentError, InvalidContinuationTokenError

MIN_KEY_BYTES = 32
# Two keys of at most 1,024 characters, JSON and base64: comfortably below this. Bounds the work done on
# attacker-supplied input before the signature is checked.
MAX_TOKEN_CHARS = 8192


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class PageTokenSigner:
    """Signs and verifies continuation tokens. One key per deployment, from the secret store."""

    def __init__(self, key: bytes) -> None:
        if len(key) < MIN_KEY_BYTES:
            raise InvalidArgumentError(f"the page-token key must be at least {MIN_KEY_BYTES} bytes")
        self._key = key

    def _mac(self, scope: str, payload: bytes) -> bytes:
        return hmac.new(self._key, scope.encode() + b"\x00" + payload, hashlib.sha256).digest()

    def sign(self, scope: str, position: dict[str, str]) -> str:
        payload = json.dumps(position, separators=(",", ":"), sort_keys=True).encode()
        return f"{_b64encode(payload)}.{_b64encode(self._mac(scope, payload))}"

    def verify(self, scope: str, token: str) -> dict[str, str]:
        """The position inside `token`, if it was signed by us for `scope`."""
        if not isinstance(token, str) or len(token) > MAX_TOKEN_CHARS or token.count(".") != 1:
            raise InvalidContinuationTokenError("the continuation token is malformed")
        encoded_payload, encoded_mac = token.split(".")
        try:
            payload, mac = _b64decode(encoded_payload), _b64decode(encoded_mac)
        except (binascii.Error, ValueError) as error:
            raise InvalidContinuationTokenError("the continuation token is malformed") from error
        if not hmac.compare_digest(mac, self._mac(scope, payload)):
            raise InvalidContinuationTokenError("the continuation token is not valid here")
        # Only we can produce a payload with a valid MAC, so it is the JSON object `sign` wrote.
        position: dict[str, str] = json.loads(payload)
        return position
