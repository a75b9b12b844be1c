"""`python -m dev.host [--app-dir .] [--port 7071] [--settings FILE]`: run the app until Ctrl-C."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
from pathlib import Path

from dev.host.host import LocalHost
from dev.host.http_server import methods_of, route_of
from dev.host.loader import HTTP_TRIGGER, FunctionSpec
from shared.telemetry import configure_logging


def _describe(spec: FunctionSpec, base_url: str, route_prefix: str) -> str:
    if spec.trigger_type == HTTP_TRIGGER:
        methods = ",".join(sorted(methods_of(spec) or {"ALL"}))
        return f"{spec.name}: [{methods}] {base_url}/{route_of(spec, route_prefix)}"
    detail = spec.trigger.get("queueName") or spec.trigger.get("schedule")
    return f"{spec.name}: {spec.trigger_type} ({detail})"


async def _serve(host: LocalHost) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await host.start()
    try:
        prefix = host.host_json.route_prefix
        lines = [_describe(spec, host.base_url, prefix) for spec in host.functions]
        print("Functions:", *lines, sep="\n  ", flush=True)
        print(f"Host listening on {host.base_url} (Ctrl-C to stop)", flush=True)
        await stop.wait()
    finally:
        await host.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m dev.host", description=__doc__)
    parser.add_argument("--app-dir", type=Path, default=Path())
    parser.add_argument("--port", type=int, default=7071, help="0 picks a free port")
    parser.add_argument("--settings", type=Path, help="a local.settings.json-shaped file")
    args = parser.parse_args(argv)
    configure_logging("INFO")
    logging.getLogger("azure").setLevel(logging.WARNING)  # the SDK logs every request at INFO
    asyncio.run(_serve(LocalHost(args.app_dir, port=args.port, settings_file=args.settings)))


if __name__ == "__main__":
    main()
