"""Secret stores: Key Vault in Azure, a 0600 JSON file for local development."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from shared.secrets.keyvault import KeyVaultSecretStore
from shared.secrets.local import LocalSecretStore, LocalSecretStoreError
from shared.secrets.store import SecretNotFoundError, SecretStore


def build_secret_store(
    kind: Literal["keyvault", "local"], *, key_vault_url: str = "", local_path: str | Path = ""
) -> SecretStore:
    if kind == "keyvault":
        return KeyVaultSecretStore(key_vault_url)
    return LocalSecretStore(local_path)


__all__ = [
    "KeyVaultSecretStore",
    "LocalSecretStore",
    "LocalSecretStoreError",
    "SecretNotFoundError",
    "SecretStore",
    "build_secret_store",
]
