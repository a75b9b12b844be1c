"""Snapshots written from the synthetic tenant into temporary folders, computed once per module."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from dev.tenant import Tenant
from shared.insights.acceptance import InForce
from shared.insights.engine import ComputedRun, ComputeSettings, compute
from shared.insights.source import LocalFolder
from tests.unit.insights.snapshot_builder import SnapshotOptions, tenant, write_snapshot

NOW = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)


@dataclass
class Case:
    tenant: Tenant
    store: LocalFolder
    run_id: str

    def compute(self, settings: ComputeSettings | None = None) -> ComputedRun:
        return compute(
            self.store,
            as_of=self.tenant.spec.as_of,
            run_id=self.run_id,
            settings=settings or ComputeSettings(),
            now=NOW,
        )

    def compute_with(self, acceptances: InForce) -> ComputedRun:
        """The run as computed with these risk acceptances in force."""
        return compute(
            self.store,
            as_of=self.tenant.spec.as_of,
            run_id=self.run_id,
            settings=ComputeSettings(),
            now=NOW,
            acceptances=acceptances,
        )


Build = Callable[..., Case]


@pytest.fixture(scope="session")
def build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    cache: dict[str, Case] = {}

    def make(seed: int, accounts: int, options: SnapshotOptions | None = None, **spec: Any) -> Case:
        key = f"{seed}-{accounts}-{options}-{sorted(spec.items())}"
        if key not in cache:
            folder = LocalFolder(Path(tmp_path_factory.mktemp("snapshot")))
            t = tenant(seed, accounts, **spec)
            write_snapshot(folder, t, f"run-{seed}", options)
            cache[key] = Case(t, folder, f"run-{seed}")
        return cache[key]

    return make
