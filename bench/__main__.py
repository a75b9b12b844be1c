"""`python -m bench [--sizes 1000,10000,100000] [--skip throttled,api,fanout,fleet]`: the performance figures.

On one Azurite, for each size: an organisation, the collection of a synthetic tenant of that many
accounts (throttling off) into its container and the compute of that snapshot, each in its own measured
child process (wall time, accounts/s, peak RSS); the I/O floor for the largest size; one collection under
realistic throttling against the floor Graph's published limits impose; the API's summary and CSV-report
latency on the largest tenant; the daily fan-out for 10k organisations (fewer if every size is smaller);
the fleet's nightly signInActivity refresh against the shared quota (`bench.fleet`).
Numbers and ratios, never pass/fail: prints a table and writes `bench/results/bench-<timestamp>.json`.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import api, backup, collection, compute, fanout, fleet, web
from bench.common import AS_OF, new_organisation
from dev.azurite import Azurite
from shared.runs import daily_run_id
from shared.snapshot import snapshot_prefix
from shared.storage import StorageClients, org_container_name
from shared.storage.provisioning import ensure_storage

RESULTS = Path(__file__).parent / "results"
PARTS = ("compute", "floor", "throttled", "api", "fanout", "fleet", "web", "backup")
BUDGET_SECONDS, BUDGET_MIB, BUDGET_ACCOUNTS = 120.0, 512.0, 100_000
FANOUT_ORGANISATIONS = 10_000  # a quick run (largest size smaller) fans out to that many instead


def _progress(text: str) -> None:
    print(f"  [{time.strftime('%H:%M:%S')}] {text}", flush=True)


def run(
    sizes: list[int], skip: set[str], throttled_size: int, organisations: int, fleet_args: tuple[int, float]
) -> dict[str, Any]:
    results: dict[str, Any] = {
        "started": datetime.now(UTC).isoformat(),
        "cpus": os.cpu_count(),
        "load_average_start": os.getloadavg(),
        "sizes": [],
    }
    prefix = snapshot_prefix(AS_OF, daily_run_id(AS_OF))
    with Azurite() as azurite, StorageClients.from_connection_string(azurite.connection_string) as clients:
        connection = azurite.connection_string
        ensure_storage(clients)
        tenants = {}
        for accounts in sizes:
            tenant = tenants[accounts] = new_organisation(clients, f"Bench {accounts}")
            container = org_container_name(tenant.org_id)
            floor = accounts == max(sizes) and "floor" not in skip
            entry: dict[str, Any] = {"accounts": accounts}
            entry["collection"] = collection.measure(
                accounts, "off", connection, container, prefix, floor=floor
            )
            _progress(f"{accounts} accounts collected in {entry['collection']['seconds']:.1f}s")
            if "compute" not in skip:
                entry["compute"] = compute.measure(clients, connection, tenant, AS_OF)
                entry["total_seconds"] = entry["collection"]["seconds"] + entry["compute"]["seconds"]
                entry["peak_rss_mib"] = max(
                    entry["collection"]["peak_rss_mib"], entry["compute"]["peak_rss_mib"]
                )
                _progress(f"{accounts} accounts computed in {entry['compute']['seconds']:.1f}s")
            results["sizes"].append(entry)
        if "throttled" not in skip and throttled_size:
            container = org_container_name(new_organisation(clients, "Bench throttled").org_id)
            results["throttled"] = collection.measure(
                throttled_size, "realistic", connection, container, prefix, floor=False
            )
            _progress(f"throttled collection in {results['throttled']['seconds']:.1f}s")
        if "api" not in skip and "compute" not in skip:
            lists = results["sizes"][-1]["compute"]["lists"]
            results["api"] = api.measure(connection, tenants[max(sizes)], lists) | {"accounts": max(sizes)}
            _progress("API latency measured")
        if "fanout" not in skip:
            results["fanout"] = fanout.measure(clients, organisations)
            _progress("fan-out measured")
        if "fleet" not in skip:
            results["fleet"] = fleet.measure(connection, *fleet_args)
            _progress(f"fleet refreshed in {results['fleet']['seconds']:.1f}s")
        if "web" not in skip:
            results["web"] = web.measure(connection)
            _progress("web app cold load measured")
    if "backup" not in skip:  # on Azurites of its own: a backup reads every table
        results["backup"] = backup.measure()
        _progress("table backup and restore measured")
    results["load_average_end"] = os.getloadavg()
    results["finished"] = datetime.now(UTC).isoformat()
    return results


def _mib(value: float) -> str:
    return f"{value:.0f}"


def table(results: dict[str, Any]) -> str:
    start, end = results["load_average_start"], results["load_average_end"]
    lines = [
        f"Insight365 bench  {results['started'][:19]}Z  {results['cpus']} CPUs  "
        f"load average (1/5/15 min) at start {start[0]:.2f}/{start[1]:.2f}/{start[2]:.2f}, "
        f"at end {end[0]:.2f}/{end[1]:.2f}/{end[2]:.2f}",
        "",
        f"Collection + compute, throttling off. Budget at {BUDGET_ACCOUNTS:,} accounts: "
        f"< {BUDGET_SECONDS:.0f} s end to end, < {BUDGET_MIB:.0f} MiB peak RSS per worker.",
        f"{'accounts':>9} | {'collect s':>9} {'acc/s':>6} {'RSS MiB':>7} | {'compute s':>9} {'acc/s':>6} "
        f"{'RSS MiB':>7} | {'total s':>7} {'acc/s':>6} | {'s/budget':>8} {'RSS/budget':>10}",
    ]
    for entry in results["sizes"]:
        accounts, collected = entry["accounts"], entry["collection"]
        row = f"{accounts:>9,} | {collected['seconds']:9.1f} {accounts / collected['seconds']:6.0f} "
        row += f"{_mib(collected['peak_rss_mib']):>7} | "
        if "compute" in entry:
            computed, total = entry["compute"], entry["total_seconds"]
            row += f"{computed['seconds']:9.1f} {accounts / computed['seconds']:6.0f} "
            row += f"{_mib(computed['peak_rss_mib']):>7} | {total:7.1f} {accounts / total:6.0f} | "
            row += f"{total / BUDGET_SECONDS:8.2f} {entry['peak_rss_mib'] / BUDGET_MIB:10.2f}"
        if collected["failed"]:
            row += f"  FAILED {collected['failed']}"
        lines.append(row)
    for entry in results["sizes"]:
        collected = entry["collection"]
        if "io_floor_seconds" in collected:
            lines.append(
                f"I/O floor at {entry['accounts']:,} accounts: {collected['io_floor_seconds']:.1f} s for "
                f"{collected['io_floor_bytes'] / 1e6:.0f} MB (bare httpx → Azurite); collection / floor = "
                f"{collected['ratio_to_io_floor']:.2f}"
            )
        if "compute" in entry:
            lists = entry["compute"]["lists"]
            lines.append(
                f"Detail lists at {entry['accounts']:,} accounts: {sum(lists.values()):,} rows in "
                f"{len(lists)} lists (largest: {max(lists, key=lists.__getitem__)} {max(lists.values()):,})"
            )
    if throttled := results.get("throttled"):
        lines.append(
            f"Throttling realistic, {throttled['accounts']:,} accounts: {throttled['seconds']:.1f} s, "
            f"floor from the Entra-reports limit {throttled['floor_seconds']:.0f} s, ratio "
            f"{throttled['ratio_to_floor']:.2f}; peak RSS {_mib(throttled['peak_rss_mib'])} MiB"
        )
    if measured := results.get("api"):
        lines.append(
            f"API at {measured['accounts']:,} accounts, p50 / p95 ms, in process via the app's functions\n"
            "  (token + session + role checks, audit record, store reads, serialisation; no host HTTP layer):"
        )
        for family, latency in measured["summaries"].items():
            lines.append(f"  summary {family:<14} {latency['p50_ms']:8.1f} / {latency['p95_ms']:8.1f}")
        report = measured["report"]
        lines.append(
            f"  report {report['id']} CSV, {report['rows']:,} rows, {report['bytes'] / 1e6:.1f} MB: "
            f"{report['p50_ms']:.0f} / {report['p95_ms']:.0f}"
        )
    if fanned := results.get("fanout"):
        lines.append(
            f"Fan-out, {fanned['organisations']:,} organisations: {fanned['messages']:,} refresh-tenant "
            f"messages in {fanned['seconds']:.1f} s (organisations + integrations read "
            f"{fanned['list_seconds']:.1f} s, "
            f"enqueue {fanned['enqueue_seconds']:.1f} s) = {fanned['messages_per_second']:.0f} messages/s"
        )
    if measured := results.get("fleet"):
        lines.append(
            f"Fleet, {measured['organisations']:,} organisations ({measured['accounts']:,} accounts, largest "
            f"{measured['largest']:,}), signInActivity via one app, quotas x{measured['time_scale']:.0f}: "
            f"{measured['seconds']:.1f} s against a floor of {measured['floor_seconds']:.0f} s "
            f"({measured['pages']:,} pages / 10 a minute, scaled): ratio {measured['ratio_to_floor']:.2f}; "
            f"429s {sum(measured['refused'].values())} (shared quotas {measured['refused_shared']}); "
            f"slowest small organisation {measured['small_wait_max_seconds']:.1f} s "
            f"({measured['small_wait_max_scaled_minutes']:.1f} min unscaled); "
            f"{measured['requests_per_1000_accounts']:.1f} requests per 1,000 accounts "
            f"({measured['requests_per_1000_accounts_at_120']:.1f} at 120 a page); "
            f"incomplete {measured['incomplete']}; slots woken too late for and given up "
            f"{measured['missed_slots']}"
        )
    describers = {"web": web.describe, "backup": backup.describe}
    lines.extend(describe(results[part]) for part, describe in describers.items() if results.get(part))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="comma-separated tenant sizes")
    parser.add_argument("--skip", default="", help=f"comma-separated parts to skip: {','.join(PARTS)}")
    parser.add_argument("--throttled-size", type=int, default=10_000, help="tenant size of the throttled run")
    parser.add_argument(
        "--organisations", type=int, help="organisations for the fan-out (default 10000, or the largest size)"
    )
    parser.add_argument(
        "--fleet-organisations", type=int, default=1000, help="organisations in the fleet run"
    )
    parser.add_argument("--fleet-scale", type=float, default=40.0, help="Graph's quotas multiplied by this")
    args = parser.parse_args(argv)
    sizes = sorted(int(size) for size in args.sizes.split(",") if size)
    skip = {part for part in args.skip.split(",") if part}
    if unknown := skip - set(PARTS):
        parser.error(f"unknown parts to skip: {','.join(sorted(unknown))}")
    started = time.perf_counter()
    organisations = args.organisations or min(FANOUT_ORGANISATIONS, max(sizes))
    fleet_args = (args.fleet_organisations, args.fleet_scale)
    results = run(sizes, skip, args.throttled_size, organisations, fleet_args)
    results["bench_seconds"] = time.perf_counter() - started
    print()
    print(table(results))
    print(f"bench took {results['bench_seconds']:.0f} s")
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"bench-{time.strftime('%Y%m%dT%H%M%S')}.json"
    path.write_text(json.dumps(results, indent=2))
    print(f"results: {path}")


if __name__ == "__main__":
    main()
