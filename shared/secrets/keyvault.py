"""Azure Key Vault as the secret store (managed identity through `DefaultAzureCredential`)."""

from __future__ import annotations

from typing import Any

from azure.core.credentials import TokenCredential
from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError
from azure.identity import DefaultAzureCredential
from azure.keyvault.secrets import SecretClient

from shared.secrets.store import SecretNotFoundError


class KeyVaultSecretStore:
    def __init__(
        self, vault_url: str, credential: TokenCredential | None = None, **client_options: Any
    ) -> None:
        """`client_options` go to `SecretClient` (e.g. `transport`)."""
        if not vault_url.startswith("https://"):
            raise ValueError("the Key Vault URL must be https")
        self._client = SecretClient(vault_url, credential or DefaultAzureCredential(), **client_options)

    def get(self, name: str) -> str:
        try:
            value = self._client.get_secret(name).value
        except ResourceNotFoundError:
            raise SecretNotFoundError(name) from None
        if value is None:
            raise SecretNotFoundError(name)
        return value

    def set(self, name: str, value: str) -> None:
        try:
            self._client.set_secret(name, value)
        except ResourceExistsError:
            # The name was deleted before (disconnect, then connect again): with soft delete and purge
            # protection it stays "deleted but recoverable" for the retention period, and Key Vault
            # answers 409 to a new secret of that name. Recover it, then write the value as its newest
            # version. https://learn.microsoft.com/azure/key-vault/general/soft-delete-overview
            self._client.begin_recover_deleted_secret(name).wait()
            self._client.set_secret(name, value)

    def delete(self, name: str) -> None:
        try:
            # Soft delete: the vault's purge protection decides when it is gone for good.
            self._client.begin_delete_secret(name).wait()
        except ResourceNotFoundError:
            return
