"""The process-wide dependencies every function needs, built once from the settings and reused.

Azure Functions keeps a worker process warm between invocations, so clients built at module scope are
shared (connection reuse, no per-invocation start-up cost). The token validator, secret store and
MFA secret box are built on first use, so a function that needs none of them never touches them.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING

from shared.identity.clock import Clock, system_clock
from shared.identity.jwks import JwksCache
from shared.identity.secret_box import KEY_BYTES, SecretBox
from shared.identity.tokens import TokenValidator
from shared.secrets import SecretStore, build_secret_store
from shared.settings import Settings, get_settings
from shared.storage import PageTokenSigner, StorageClients, TenantContext

if TYPE_CHECKING:
    from shared.org_scope import OrgScope


class ServicesError(RuntimeError):
    """A dependency cannot be built from the configuration (the message names the setting, no values)."""


@dataclass(frozen=True)
class Services:
    settings: Settings
    storage: StorageClients
    page_signer: PageTokenSigner  # signs the continuation tokens of paged lists for their partition
    clock: Clock = system_clock

    @cached_property
    def secrets(self) -> SecretStore:
        return build_secret_store(
            self.settings.secret_store,
            key_vault_url=self.settings.key_vault_url,
            local_path=self.settings.local_secrets_path,
        )

    @cached_property
    def token_validator(self) -> TokenValidator:
        settings = self.settings
        keys = JwksCache(
            issuer=settings.oidc_issuer, discovery_url=settings.oidc_discovery_url or None, clock=self.clock
        )
        return TokenValidator(
            issuer=settings.oidc_issuer,
            audience=settings.oidc_audience,
            required_scope=settings.oidc_required_scope,
            keys=keys,
            clock=self.clock,
            leeway_seconds=settings.oidc_leeway_seconds,
            email_verified_by_issuer=settings.oidc_email_verified_by_issuer,
        )

    @cached_property
    def secret_box(self) -> SecretBox:
        """AES-256-GCM for TOTP secrets; keys are `mfa_key_ids` in the secret store, the first one current."""
        keys = {key_id: self._mfa_key(key_id) for key_id in self.settings.mfa_key_ids}
        if not keys:
            raise ServicesError("INSIGHT365_MFA_KEY_IDS names no key")
        current, *previous = self.settings.mfa_key_ids
        return SecretBox(current, keys[current], previous_keys={key_id: keys[key_id] for key_id in previous})

    def org(self, tenant: TenantContext) -> OrgScope:
        """The organisation's repositories (`services.org(tenant).members`, …), each built on first use."""
        from shared.org_scope import OrgScope  # noqa: PLC0415  # its repositories import these services

        return OrgScope(self, tenant)

    def _mfa_key(self, key_id: str) -> bytes:
        try:
            key = base64.b64decode(self.secrets.get(key_id), validate=True)
        except (binascii.Error, ValueError):
            raise ServicesError(f"MFA key {key_id!r} in the secret store is not base64") from None
        if len(key) != KEY_BYTES:
            raise ServicesError(f"MFA key {key_id!r} in the secret store is not {KEY_BYTES} bytes")
        return key


def build_services(settings: Settings) -> Services:
    if settings.storage_connection:
        storage = StorageClients.from_connection_string(settings.storage_connection)
    else:
        storage = StorageClients.from_account(settings.storage_account)
    page_signer = PageTokenSigner(base64.b64decode(settings.page_token_key))
    return Services(settings=settings, storage=storage, page_signer=page_signer)


_installed: list[Services] = []


def install_services(services: Services | None) -> Services | None:
    """Replace the process-wide services (tests with a controlled clock); None restores the default.
    Returns what was installed before, so a caller can put it back."""
    previous = _installed[0] if _installed else None
    _installed.clear()
    if services is not None:
        _installed.append(services)
    return previous


@lru_cache(maxsize=1)
def _default_services() -> Services:
    return build_services(get_settings())


def get_services() -> Services:
    return _installed[0] if _installed else _default_services()
