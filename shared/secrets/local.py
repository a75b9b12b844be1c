"""A JSON file of secrets for local development (`make run`, tests). Refuses to run in Azure.

The file is created with mode 0600 and rewritten atomically (temporary file + rename), and a file that
others can read is refused rather than used.
"""

from __future__ import annotations

import json
import os
import stat
import tempfile
import threading
from collections.abc import Mapping
from pathlib import Path

from shared.secrets.store import SecretNotFoundError
from shared.settings import AZURE_MARKERS


class LocalSecretStoreError(RuntimeError):
    pass


class LocalSecretStore:
    def __init__(self, path: str | Path, environ: Mapping[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        if any(env.get(marker) for marker in AZURE_MARKERS):
            raise LocalSecretStoreError("the local secret store is for development; use Key Vault in Azure")
        self._path = Path(path)
        self._lock = threading.Lock()

    def _read(self) -> dict[str, str]:
        try:
            mode = self._path.stat().st_mode
        except FileNotFoundError:
            return {}
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise LocalSecretStoreError(f"{self._path} is readable by others; chmod 600 it")
        data = json.loads(self._path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
            raise LocalSecretStoreError(f"{self._path} is not a JSON object of strings")
        return data

    def _write(self, data: dict[str, str]) -> None:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=self._path.parent, prefix=".secrets-")  # created 0600
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            json.dump(data, file)
        os.replace(temporary, self._path)

    def get(self, name: str) -> str:
        with self._lock:
            value = self._read().get(name)
        if value is None:
            raise SecretNotFoundError(name)
        return value

    def set(self, name: str, value: str) -> None:
        with self._lock:
            self._write({**self._read(), name: value})

    def delete(self, name: str) -> None:
        with self._lock:
            data = self._read()
            if data.pop(name, None) is not None:
                self._write(data)
