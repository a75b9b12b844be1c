"""The local secret store's safety rules and the choice of token source per authority."""

from __future__ import annotations

import asyncio
import os
import stat
from pathlib import Path

import pytest
from azure.identity.aio import ClientSecretCredential

from shared.graph import ClientCredentialsToken, tenant_credential
from shared.secrets import LocalSecretStore, LocalSecretStoreError, SecretNotFoundError

TENANT = "8f1d6c3e-5b7a-4e2f-9c1d-2a3b4c5d6e7f"


def test_local_store_round_trips_with_owner_only_permissions(tmp_path: Path):
    store = LocalSecretStore(tmp_path / "nested" / "secrets.json", environ={})
    store.set("a", "one")
    store.set("b", "two")
    store.delete("a")
    store.delete("never-there")
    assert store.get("b") == "two"
    with pytest.raises(SecretNotFoundError):
        store.get("a")
    assert stat.S_IMODE((tmp_path / "nested" / "secrets.json").stat().st_mode) == 0o600


def test_local_store_refuses_azure_and_readable_files(tmp_path: Path):
    with pytest.raises(LocalSecretStoreError, match="Key Vault"):
        LocalSecretStore(tmp_path / "s.json", environ={"WEBSITE_INSTANCE_ID": "abc"})
    path = tmp_path / "s.json"
    path.write_text('{"a": "one"}')
    os.chmod(path, 0o644)
    with pytest.raises(LocalSecretStoreError, match="chmod 600"):
        LocalSecretStore(path, environ={}).get("a")


async def _kind(authority: str) -> type:
    credential = tenant_credential(authority, TENANT, "client", "secret")
    await credential.close()
    return type(credential)


@pytest.mark.parametrize(
    ("authority", "kind"),
    [
        ("https://login.microsoftonline.com", ClientSecretCredential),
        ("http://127.0.0.1:7072", ClientCredentialsToken),
        ("http://localhost:7072/", ClientCredentialsToken),
    ],
)
def test_token_source_follows_the_authority(authority: str, kind: type):
    assert asyncio.run(_kind(authority)) is kind


@pytest.mark.parametrize(
    ("authority", "tenant"),
    [("http://graph-sim:7072", TENANT), ("ftp://127.0.0.1", TENANT), ("https://login.example", "../x")],
)
def test_unsafe_authorities_and_tenant_ids_are_refused(authority: str, tenant: str):
    with pytest.raises(ValueError):
        tenant_credential(authority, tenant, "client", "secret")
