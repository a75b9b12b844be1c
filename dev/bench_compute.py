"""Compute benchmark: synthetic tenants of N accounts → raw snapshot on local disk → compute + detail lists.

`run_compute_benchmark(sizes)` returns one dict per size: accounts, wall seconds of the compute step
(reading the snapshot, the four families, writing every detail list), accounts per second, and the peak
RSS of the worker process. Each size is computed in a fresh child process so its peak RSS is its own.
Table writes are not included (no storage emulator here): they are a few dozen rows per run.

    python -m dev.bench_compute 1000 10000 100000
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from shared.insights.engine import ComputeSettings, compute
from shared.insights.source import LocalFolder
from shared.insights.store import list_blob_name
from tests.unit.insights.snapshot_builder import tenant, write_snapshot  # the test-only snapshot writer

AS_OF = date(2026, 3, 2)
RUN_ID = "bench"


def _peak_rss_mb() -> float:
    # Linux reports ru_maxrss in KiB.
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _compute_here(folder: Path) -> dict[str, Any]:
    store = LocalFolder(folder)
    started = time.perf_counter()
    run = compute(store, as_of=AS_OF, run_id=RUN_ID, settings=ComputeSettings(), now=datetime.now(UTC))
    rows = {
        name: store.write_jsonl_gz(list_blob_name(AS_OF, RUN_ID, name), make())
        for name, make in run.lists.items()
    }
    wall = time.perf_counter() - started
    return {"wall_s": round(wall, 2), "peak_rss_mb": _peak_rss_mb(), "detail_rows": sum(rows.values())}


def run_compute_benchmark(sizes: list[int], seed: int = 1) -> list[dict[str, Any]]:
    results = []
    for accounts in sizes:
        with tempfile.TemporaryDirectory(prefix="insight365-bench-") as directory:
            started = time.perf_counter()
            write_snapshot(LocalFolder(Path(directory)), tenant(seed, accounts, as_of=AS_OF), RUN_ID)
            snapshot_s = time.perf_counter() - started
            child = subprocess.run(  # noqa: S603 - our own module, fixed arguments
                [sys.executable, "-m", "dev.bench_compute", "--compute", directory],
                capture_output=True,
                text=True,
                check=True,
            )
            measured = json.loads(child.stdout.strip().splitlines()[-1])
        results.append(
            {
                "benchmark": "compute",
                "accounts": accounts,
                "snapshot_build_s": round(snapshot_s, 2),
                **measured,
                "accounts_per_s": round(accounts / measured["wall_s"]) if measured["wall_s"] else None,
            }
        )
    return results


def main(argv: list[str]) -> None:
    if argv[:1] == ["--compute"]:
        print(json.dumps(_compute_here(Path(argv[1]))))
        return
    sizes = [int(a) for a in argv] or [1_000, 10_000, 100_000]
    for result in run_compute_benchmark(sizes):
        print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
