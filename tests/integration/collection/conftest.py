"""A simulator per module and helpers to read a collected snapshot folder."""

from __future__ import annotations

import gzip
import json
from datetime import date
from pathlib import Path
from typing import Any

from dev.graph_sim import RunningSimulator
from shared.snapshot import Manifest

AS_OF = date(2026, 1, 15)
CLIENT_ID = "0b3e6d1c-1111-4000-a000-00000000c001"
SECRET_ENV = "INSIGHT365_TEST_GRAPH_SECRET"


def rows(folder: Path, dataset: str) -> list[dict[str, Any]]:
    with gzip.open(folder / f"{dataset}.jsonl.gz", "rb") as lines:
        return [json.loads(line) for line in lines]


def manifest(folder: Path) -> Manifest:
    return Manifest.model_validate_json((folder / "manifest.json").read_text())


def cli_args(sim: RunningSimulator, out: Path) -> list[str]:
    return [
        "--graph-base-url",
        sim.graph_url,
        "--tenant-id",
        sim.tenant.spec.tenant_id,
        "--client-id",
        CLIENT_ID,
        "--client-secret-env",
        SECRET_ENV,
        "--out",
        str(out),
        "--as-of",
        AS_OF.isoformat(),
    ]
