"""`make run`: start Azurite and the local Functions host in the foreground; Ctrl-C stops both.

Azurite keeps its data in `.local/azurite` on its well-known ports, so `UseDevelopmentStorage=true`
in local.settings(.sample).json reaches it, as it would with Core Tools.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import socket
import sys

from dev.azurite import REPO_ROOT, Azurite, AzuriteError, AzuritePorts
from dev.host import LocalHost

LOCAL_DATA = REPO_ROOT / ".local"


def _port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


async def _serve(port: int) -> None:
    host = LocalHost(REPO_ROOT, port=port)
    await host.start()
    print(f"\nInsight365 is running. API base URL: {host.base_url}/api/v1", flush=True)
    print(f"  try: curl -si {host.base_url}/api/v1/health", flush=True)
    print("Press Ctrl-C to stop.\n", flush=True)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopping.set)
    try:
        await stopping.wait()
    finally:
        print("\nStopping ...", flush=True)
        await host.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=7071, help="HTTP port of the local Functions host")
    args = parser.parse_args()
    ports = AzuritePorts.default()
    busy = [port for port in (args.port, ports.blob, ports.queue, ports.table) if _port_in_use(port)]
    if busy:
        print(
            f"make run: port(s) {busy} are already in use on 127.0.0.1; stop what holds them.",
            file=sys.stderr,
        )
        return 1
    try:
        with Azurite(ports, location=LOCAL_DATA / "azurite"):
            print(f"Azurite is listening on 127.0.0.1:{ports.blob}-{ports.table} (data in .local/azurite)")
            asyncio.run(_serve(args.port))
    except AzuriteError as error:
        print(f"make run: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
