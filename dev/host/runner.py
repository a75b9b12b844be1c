"""Run a LocalHost on its own event loop in a background thread, for tests and the demo orchestrator."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator, Mapping
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from dev.host.host import LocalHost


@dataclass(frozen=True)
class RunningHost:
    host: LocalHost
    loop: asyncio.AbstractEventLoop

    @property
    def port(self) -> int:
        return self.host.port

    @property
    def base_url(self) -> str:
        return self.host.base_url


@contextmanager
def run_host_in_thread(
    app_dir: str | Path,
    settings: Mapping[str, str] | None = None,
    *,
    port: int = 0,
    start_timeout: float = 30.0,
) -> Iterator[RunningHost]:
    """Start a host (free port by default), yield once it listens, stop it and join its thread on exit."""
    host = LocalHost(app_dir, settings, port=port)
    loop = asyncio.new_event_loop()
    started: Future[None] = Future()
    stop = asyncio.Event()

    async def serve() -> None:
        try:
            await host.start()
        except BaseException as exc:
            started.set_exception(exc)
            return
        started.set_result(None)
        try:
            await stop.wait()
        finally:
            await host.stop()
            # aiohttp resolves names on the default executor: join its threads before the loop ends.
            await asyncio.get_running_loop().shutdown_default_executor()

    thread = threading.Thread(target=loop.run_until_complete, args=(serve(),), name="dev-host", daemon=True)
    thread.start()
    try:
        started.result(start_timeout)
        yield RunningHost(host, loop)
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join()
        loop.close()
