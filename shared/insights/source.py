"""Where a run's blobs live: the organisation's container in production, a local folder in tests and bench.

`OrgContainer` already has the four methods the engine needs; `LocalFolder` mirrors them on disk so the
engine can be run and measured without a storage emulator.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, Protocol

from shared.storage import NotFoundError, validate_blob_name


class BlobStore(Protocol):
    """The subset of `OrgContainer` the insight engine uses."""

    def read_json(self, name: str) -> Any: ...

    def write_json(self, name: str, value: Any) -> None: ...

    def iter_jsonl_gz(self, name: str) -> Iterator[dict[str, Any]]: ...

    def write_jsonl_gz(self, name: str, rows: Iterable[Mapping[str, Any]]) -> Any: ...


class LocalFolder:
    """A `BlobStore` on a local directory (tests, bench, offline runs). Never used by the Function App."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, name: str) -> Path:
        return self.root / validate_blob_name(name)

    def read_json(self, name: str) -> Any:
        path = self._path(name)
        if not path.exists():
            raise NotFoundError(f"blob {name} not found")
        return json.loads(path.read_bytes())

    def write_json(self, name: str, value: Any) -> None:
        path = self._path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value, separators=(",", ":")), encoding="utf-8")

    def iter_jsonl_gz(self, name: str) -> Iterator[dict[str, Any]]:
        path = self._path(name)
        if not path.exists():
            raise NotFoundError(f"blob {name} not found")
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            for line in lines:
                row: dict[str, Any] = json.loads(line)
                yield row

    def write_jsonl_gz(self, name: str, rows: Iterable[Mapping[str, Any]]) -> int:
        path = self._path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(path.name + ".partial")
        count = 0
        with gzip.open(temporary, "wt", encoding="utf-8", compresslevel=6) as out:
            for row in rows:
                out.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")
                count += 1
        temporary.replace(path)  # readers see the old file or the whole new one
        return count
