"""The `SecretStore` protocol: where a tenant's client secret lives (never a table, blob or log)."""

from __future__ import annotations

from typing import Protocol


class SecretNotFoundError(KeyError):
    """No secret of that name; the message names the secret, never a value."""


class SecretStore(Protocol):
    def get(self, name: str) -> str:
        """The secret's current value, or `SecretNotFoundError`."""
        ...

    def set(self, name: str, value: str) -> None: ...

    def delete(self, name: str) -> None:
        """Remove the secret; a missing secret is not an error (deletion jobs are retried)."""
        ...
