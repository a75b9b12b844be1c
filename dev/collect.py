"""Collect one tenant's snapshot into a local folder, with the same collectors as the Function App.

    python -m dev.collect --graph-base-url URL --tenant-id T --client-id C --client-secret-env VAR --out DIR
        [--authority URL] [--as-of YYYY-MM-DD]

Writes `<dataset>.jsonl.gz` and `manifest.json` (the blob names of a run's snapshot) for support
diagnostics and tests. The secret is read from the named environment variable, never from the command
line (which other local users can see).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import uuid
from datetime import UTC, date, datetime
from urllib.parse import urlsplit

from shared.collection import Budget, Collector, DirectorySink, collect_all
from shared.graph import GraphSession, tenant_credential
from shared.snapshot import Manifest

NO_BUDGET = 10**9


def _default_authority(graph_base_url: str) -> str:
    parts = urlsplit(graph_base_url)
    return (
        f"{parts.scheme}://{parts.netloc}"
        if parts.hostname in ("127.0.0.1", "localhost")
        else ("https://login.microsoftonline.com")
    )


async def collect(args: argparse.Namespace, secret: str) -> Manifest:
    authority = args.authority or _default_authority(args.graph_base_url)
    credential = tenant_credential(authority, args.tenant_id, args.client_id, secret)
    sink = DirectorySink(args.out)
    async with GraphSession(args.graph_base_url, credential) as session:
        return await collect_all(
            Collector(session, sink, Budget.seconds(NO_BUDGET)),
            sink,
            run_id=f"local-{uuid.uuid4().hex[:12]}",
            as_of=args.as_of or datetime.now(UTC).date(),
            tenant_id=args.tenant_id,
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dev.collect", description=__doc__.splitlines()[0])
    parser.add_argument("--graph-base-url", required=True)
    parser.add_argument("--tenant-id", required=True)
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--client-secret-env", required=True, help="environment variable holding the secret")
    parser.add_argument("--out", required=True)
    parser.add_argument("--authority", help="token authority (default: Entra, or the simulator's origin)")
    parser.add_argument("--as-of", type=date.fromisoformat)
    args = parser.parse_args(argv)
    secret = os.environ.get(args.client_secret_env)
    if not secret:
        parser.error(f"environment variable {args.client_secret_env} is empty or unset")
    manifest = asyncio.run(collect(args, secret))
    for entry in manifest.datasets:
        detail = f" ({entry.error})" if entry.error else ""
        print(f"{entry.dataset:36} {entry.status:11} {entry.rows:>9} rows {entry.bytes:>11} bytes{detail}")
    return 1 if any(entry.status == "failed" for entry in manifest.datasets) else 0


if __name__ == "__main__":
    sys.exit(main())
