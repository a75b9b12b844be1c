"""Encryption at rest for MFA secrets: AES-256-GCM, bound to the member the secret belongs to.

Sealed form: `v1.<key id>.<base64url(96-bit nonce || ciphertext || 128-bit tag)>`. The key id names the
key, so keys can rotate: new values are sealed with the current key, old ones still open with the
previous keys until `needs_rotation` has re-sealed them all. The associated data binds the value to
(purpose, version, key id, organisation, member), so a row copied to another member or organisation,
or given another key id, fails to open rather than handing over someone else's TOTP secret.
A random nonce per value is safe for far more than the 2^32 encryptions per key NIST SP 800-38D allows.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
from collections.abc import Mapping

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

VERSION = "v1"
KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
_KEY_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")


class SecretBoxError(Exception):
    """A sealed value could not be opened: malformed, unknown key, or not this member's (no details)."""


def _check_key(key_id: str, key: bytes) -> AESGCM:
    if not _KEY_ID.fullmatch(key_id):
        raise ValueError("key id must be 1-32 characters of A-Z a-z 0-9 _ -")
    if len(key) != KEY_BYTES:
        raise ValueError("AES-256-GCM needs a 32-byte key")
    return AESGCM(key)


class SecretBox:
    def __init__(
        self,
        key_id: str,
        key: bytes,
        *,
        previous_keys: Mapping[str, bytes] | None = None,
        purpose: str = "totp-secret",
    ) -> None:
        self._key_id = key_id
        self._ciphers = {kid: _check_key(kid, k) for kid, k in (previous_keys or {}).items()}
        self._ciphers[key_id] = _check_key(key_id, key)
        self._purpose = purpose

    def _associated_data(self, key_id: str, org_id: str, member_id: str) -> bytes:
        # A JSON array: unambiguous, so ("a", "b|c") and ("a|b", "c") never share associated data.
        return json.dumps([self._purpose, VERSION, key_id, org_id, member_id]).encode()

    def encrypt(self, plaintext: str, *, org_id: str, member_id: str) -> str:
        nonce = os.urandom(NONCE_BYTES)
        aad = self._associated_data(self._key_id, org_id, member_id)
        sealed = nonce + self._ciphers[self._key_id].encrypt(nonce, plaintext.encode(), aad)
        return f"{VERSION}.{self._key_id}.{base64.urlsafe_b64encode(sealed).decode('ascii')}"

    def decrypt(self, sealed: str, *, org_id: str, member_id: str) -> str:
        version, key_id, payload = self._split(sealed)
        cipher = self._ciphers.get(key_id)
        if version != VERSION or cipher is None:
            raise SecretBoxError("sealed value has an unknown version or key")
        try:
            blob = base64.urlsafe_b64decode(payload.encode("ascii"))
        except (binascii.Error, ValueError):
            raise SecretBoxError("sealed value is malformed") from None
        if len(blob) < NONCE_BYTES + TAG_BYTES:
            raise SecretBoxError("sealed value is malformed")
        aad = self._associated_data(key_id, org_id, member_id)
        try:
            plaintext = cipher.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], aad)
        except InvalidTag:
            raise SecretBoxError("sealed value does not open for this member with this key") from None
        return plaintext.decode()

    def needs_rotation(self, sealed: str) -> bool:
        """True if the value was sealed with a key other than the current one: re-seal it."""
        return self._split(sealed)[1] != self._key_id

    @staticmethod
    def _split(sealed: str) -> tuple[str, str, str]:
        parts = sealed.split(".") if isinstance(sealed, str) else []
        if len(parts) != 3:
            raise SecretBoxError("sealed value is malformed")
        return parts[0], parts[1], parts[2]
