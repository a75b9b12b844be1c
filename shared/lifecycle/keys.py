"""Keyed, stable identifiers for the lifecycle jobs: deletion request ids and erased-member pseudonyms.

Both are HMAC-SHA256 under a key derived from the deployment's page-token key (a Key Vault secret in
Azure), with a label of its own, so neither reveals the ids it was made from and both are the same on
every instance and every redelivery. A request id is derived from what is being deleted, which makes a
repeated request the same request (idempotent), and it names neither the organisation nor the member.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from shared.services import Services
from shared.storage import TenantContext

_LABEL = b"insight365/lifecycle/v1"
PSEUDONYM_PREFIX = "erased-"


class LifecycleKeys:
    def __init__(self, key: bytes) -> None:
        if len(key) < 32:
            raise ValueError("the lifecycle key must be at least 32 bytes")
        self._key = key

    @classmethod
    def from_services(cls, services: Services) -> LifecycleKeys:
        root = base64.b64decode(services.settings.page_token_key)
        return cls(hmac.new(root, _LABEL, hashlib.sha256).digest())

    def _mac(self, *parts: str) -> str:
        return hmac.new(self._key, "\x00".join(parts).encode(), hashlib.sha256).hexdigest()

    def offboarding_request_id(self, tenant: TenantContext) -> str:
        return self._mac("deletion", "organisation", tenant.org_id)[:32]

    def erasure_request_id(self, tenant: TenantContext, member_id: str) -> str:
        return self._mac("deletion", "member", tenant.org_id, member_id)[:32]

    def member_pseudonym(self, tenant: TenantContext, member_id: str) -> str:
        """What replaces an erased member's id in the audit log: `erased-<12 hex>`."""
        return PSEUDONYM_PREFIX + self._mac("pseudonym", tenant.org_id, member_id)[:12]
