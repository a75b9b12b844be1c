"""Reconnecting a customer writes a secret name that was deleted before.

The Key Vault store runs the real `azure-keyvault-secrets` client against a small simulation of the
Key Vault REST API (served through a `requests` adapter) that keeps Key Vault's soft-delete rules: a
deleted secret stays "deleted but recoverable" (purge protection), and creating a secret of that name
answers 409 until it is recovered.
"""

from __future__ import annotations

import io
import json
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from azure.core.credentials import AccessToken
from azure.core.pipeline.transport import RequestsTransport
from requests.adapters import BaseAdapter
from urllib3.response import HTTPResponse

from shared.secrets import KeyVaultSecretStore, LocalSecretStore, SecretNotFoundError

VAULT = "https://kv-test.vault.azure.net"
NAME = "m365-client-secret-org1"


class SimulatedKeyVault(BaseAdapter):
    """Secrets, versions and soft delete with purge protection, as the Key Vault REST API answers them."""

    def __init__(self) -> None:
        super().__init__()
        self.live: dict[str, list[str]] = {}  # name -> versions' values, newest last
        self.deleted: dict[str, list[str]] = {}
        self.conflicts = 0

    def send(  # type: ignore[override]  # noqa: PLR0911 - one branch per REST operation
        self, request: requests.PreparedRequest, **kwargs: Any
    ) -> requests.Response:
        if "Authorization" not in request.headers:
            return self._response(
                request,
                401,
                {},
                {
                    "WWW-Authenticate": 'Bearer authorization="https://login.example/tenant", resource="https://vault.azure.net"'
                },
            )
        parts = [part for part in urlsplit(request.url or "").path.split("/") if part]
        collection, name = parts[0], parts[1]
        if collection == "secrets" and request.method == "PUT":
            if name in self.deleted:
                self.conflicts += 1
                message = f"Secret {name} is currently in a deleted but recoverable state"
                return self._response(request, 409, {"error": {"code": "Conflict", "message": message}})
            body = request.body
            value = json.loads(body if isinstance(body, str | bytes) else b"{}")["value"]
            self.live.setdefault(name, []).append(value)
            return self._response(request, 200, self._bundle(name))
        if collection == "secrets" and request.method == "GET":
            return self._found(request, name in self.live, self._bundle(name))
        if collection == "secrets" and request.method == "DELETE":
            if name not in self.live:
                return self._found(request, False, {})
            self.deleted[name] = self.live.pop(name)
            return self._response(request, 200, self._deleted_bundle(name))
        if collection == "deletedsecrets" and request.method == "GET":
            return self._found(request, name in self.deleted, self._deleted_bundle(name))
        if collection == "deletedsecrets" and request.method == "POST" and parts[-1] == "recover":
            self.live[name] = self.deleted.pop(name)
            return self._response(request, 200, self._bundle(name))
        return self._response(request, 400, {"error": {"code": "BadRequest", "message": "not simulated"}})

    def close(self) -> None:
        pass

    def _bundle(self, name: str) -> dict[str, Any]:
        versions = self.live.get(name) or self.deleted.get(name) or [""]
        return {
            "id": f"{VAULT}/secrets/{name}/{len(versions):032x}",
            "value": versions[-1],
            "attributes": {"enabled": True, "created": 1, "updated": 1, "recoveryLevel": "Recoverable"},
        }

    def _deleted_bundle(self, name: str) -> dict[str, Any]:
        return {**self._bundle(name), "recoveryId": f"{VAULT}/deletedsecrets/{name}", "deletedDate": 2}

    def _found(
        self, request: requests.PreparedRequest, found: bool, body: dict[str, Any]
    ) -> requests.Response:
        if found:
            return self._response(request, 200, body)
        return self._response(request, 404, {"error": {"code": "SecretNotFound", "message": "not found"}})

    @staticmethod
    def _response(
        request: requests.PreparedRequest,
        status: int,
        body: dict[str, Any],
        headers: dict[str, str] | None = None,
    ) -> requests.Response:
        content = json.dumps(body).encode()
        response = requests.Response()
        response.status_code = status
        response.raw = HTTPResponse(body=io.BytesIO(content), status=status, preload_content=False)
        response._content = content
        response.headers.update({"Content-Type": "application/json", **(headers or {})})
        response.request = request
        response.url = request.url or ""
        return response


class StaticToken:
    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken("token", int(time.time()) + 3600)


@pytest.fixture()
def vault() -> SimulatedKeyVault:
    return SimulatedKeyVault()


@pytest.fixture()
def store(vault: SimulatedKeyVault) -> KeyVaultSecretStore:
    session = requests.Session()
    session.mount("https://", vault)
    return KeyVaultSecretStore(VAULT, credential=StaticToken(), transport=RequestsTransport(session=session))


def test_reconnecting_after_a_disconnect_recovers_the_name_and_stores_the_new_secret(
    store: KeyVaultSecretStore, vault: SimulatedKeyVault
) -> None:
    store.set(NAME, "first-secret")
    store.delete(NAME)
    with pytest.raises(SecretNotFoundError):
        store.get(NAME)

    store.set(NAME, "second-secret")  # Key Vault answered 409 to this before the fix

    assert vault.conflicts == 1
    assert store.get(NAME) == "second-secret"
    assert vault.live[NAME] == ["first-secret", "second-secret"] and NAME not in vault.deleted


def test_deleting_a_secret_that_never_existed_is_not_an_error(store: KeyVaultSecretStore) -> None:
    store.delete("never-there")
    with pytest.raises(SecretNotFoundError):
        store.get("never-there")


def test_the_local_store_reconnects_the_same_way(tmp_path: Path) -> None:
    store = LocalSecretStore(tmp_path / "secrets.json", environ={})
    store.set(NAME, "first-secret")
    store.delete(NAME)
    store.set(NAME, "second-secret")
    assert store.get(NAME) == "second-secret"
