"""`python -m bench [--sizes 1000,10000,100000] [--throttled-size 10000]`: collection benchmarks.

For each size: the Graph simulator in its own process, Azurite, and the collection in a worker process
(peak RSS from `wait4`); throttling off. Then the I/O floor for the largest size, and one collection
under realistic throttling against the floor Graph's published limits impose. Prints a table and
writes `bench/results/collection-<timestamp>.json`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from azure.storage.blob import BlobServiceClient

from bench.io_floor import io_floor
from dev.azurite import Azurite
from shared.collection.run import DEFAULT_CONCURRENCY
from shared.collection.sources import SIGN_IN_PAGE

RESULTS = Path(__file__).parent / "results"
TENANT_ID = "8f1d6c3e-5b7a-4e2f-9c1d-2a3b4c5d6e7f"  # the synthetic tenant's id (dev.tenant.TenantSpec)
# Graph's Entra-reports limit (graph_api.md §2, §4): 5 requests per 10 s per app per tenant, shared by
# the signInActivity listing (120 users a page) and userRegistrationDetails (1000 a page here).
ENTRA_REPORTS_LIMIT, ENTRA_REPORTS_WINDOW, REGISTRATION_PAGE = 5, 10.0, 1000


@contextmanager
def simulator(accounts: int, throttling: str) -> Iterator[str]:
    command = [sys.executable, "-m", "dev.graph_sim", "--accounts", str(accounts), "--throttling", throttling]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)  # noqa: S603 -- our own module
    try:
        assert process.stdout is not None
        yield process.stdout.readline().strip()
    finally:
        process.terminate()
        process.wait()


def measure_worker(graph: str, authority: str, connection: str, container: str) -> dict[str, Any]:
    """Run one collection in a child process; its result plus its own peak RSS (MiB)."""
    command = [sys.executable, "-m", "bench.worker", graph, authority, TENANT_ID, connection, container]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)  # noqa: S603 -- our own module
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"bench worker failed with exit code {process.returncode}")
    result: dict[str, Any] = json.loads(output)
    result["peak_rss_mib"] = usage.ru_maxrss / 1024  # Linux reports KiB
    return result


def entra_floor_seconds(accounts: int) -> float:
    """The least time the Entra-reports limit allows for the pages this tenant needs."""
    requests = math.ceil(accounts / SIGN_IN_PAGE) + math.ceil(accounts / REGISTRATION_PAGE)
    return max(0, math.ceil(requests / ENTRA_REPORTS_LIMIT) - 1) * ENTRA_REPORTS_WINDOW


def run(sizes: list[int], throttled_size: int) -> dict[str, Any]:
    results: dict[str, Any] = {"started": datetime.now(UTC).isoformat(), "cpus": os.cpu_count(), "runs": []}
    with Azurite() as azurite:
        blobs = BlobServiceClient.from_connection_string(azurite.connection_string)
        for index, (accounts, throttling) in enumerate(
            [(size, "off") for size in sizes] + ([(throttled_size, "realistic")] if throttled_size else [])
        ):
            container = f"bench-{index}"
            blobs.create_container(container)
            with simulator(accounts, throttling) as base:
                graph = base + "/v1.0"
                measured = measure_worker(graph, base, azurite.connection_string, container)
                entry = {"accounts": accounts, "throttling": throttling, **measured}
                entry["accounts_per_second"] = accounts / measured["seconds"]
                if throttling == "realistic":
                    entry["floor_seconds"] = entra_floor_seconds(accounts)
                    entry["ratio_to_floor"] = measured["seconds"] / max(entry["floor_seconds"], 1e-9)
                elif accounts == max(sizes):
                    token = httpx.post(
                        f"{base}/{TENANT_ID}/oauth2/v2.0/token",
                        data={
                            "grant_type": "client_credentials",
                            "client_id": "bench",
                            "client_secret": "bench",
                            "scope": "https://graph.microsoft.com/.default",
                        },
                    ).json()["access_token"]
                    floor = asyncio.run(
                        io_floor(graph, token, azurite.connection_string, container, DEFAULT_CONCURRENCY)
                    )
                    entry["io_floor_seconds"] = floor["seconds"]
                    entry["io_floor_bytes"] = floor["bytes"]
                    entry["ratio_to_io_floor"] = measured["seconds"] / floor["seconds"]
                results["runs"].append(entry)
                print_row(entry)
    return results


def print_row(entry: dict[str, Any]) -> None:
    extra = ""
    if "ratio_to_io_floor" in entry:
        extra = f"  I/O floor {entry['io_floor_seconds']:.1f}s  ratio {entry['ratio_to_io_floor']:.2f}"
    if "ratio_to_floor" in entry:
        extra = f"  throttling floor {entry['floor_seconds']:.0f}s  ratio {entry['ratio_to_floor']:.2f}"
    failed = f"  FAILED {entry['failed']}" if entry["failed"] else ""
    print(
        f"{entry['accounts']:>7} accounts  throttling {entry['throttling']:9}  {entry['seconds']:7.1f}s  "
        f"{entry['accounts_per_second']:8.0f} acc/s  peak RSS {entry['peak_rss_mib']:6.0f} MiB"
        f"{extra}{failed}",
        flush=True,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="comma-separated tenant sizes")
    parser.add_argument("--throttled-size", type=int, default=10000, help="0 skips the throttled run")
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",") if size]
    results = run(sizes, args.throttled_size)
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"collection-{time.strftime('%Y%m%dT%H%M%S')}.json"
    path.write_text(json.dumps(results, indent=2))
    print(f"results: {path}")


if __name__ == "__main__":
    main()
