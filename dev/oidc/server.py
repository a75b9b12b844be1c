"""Run the local issuer on a loopback port in a background thread (tests, `make run`)."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import threading
from collections import Counter
from pathlib import Path
from types import TracebackType

from aiohttp import web

from dev.oidc.app import create_app
from dev.oidc.issuer import DEFAULT_AUDIENCE, DEFAULT_SCOPE, LocalIssuer
from dev.oidc.keys import SigningKey
from shared.identity.clock import Clock, system_clock

START_TIMEOUT_SECONDS = 10.0


class RunningIssuer:
    """A started issuer. Use as a context manager, or call `stop()`."""

    def __init__(self, issuer: LocalIssuer, sock: socket.socket) -> None:
        self.issuer = issuer
        # Written only by the server thread; reads from other threads see a recent count.
        self._requests: Counter[str] = Counter()
        self._sock = sock
        self._loop = asyncio.new_event_loop()
        self._started = threading.Event()
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._serve, name="local-oidc-issuer", daemon=True)

    @property
    def issuer_url(self) -> str:
        return self.issuer.issuer_url

    @property
    def discovery_url(self) -> str:
        return self.issuer.discovery_url

    @property
    def jwks_url(self) -> str:
        return self.issuer.jwks_url

    def requests_to(self, url_or_path: str) -> int:
        """How many requests reached this path (or this issuer URL) so far."""
        path = url_or_path.removeprefix(self.issuer_url) or "/"
        return self._requests[path]

    def rotate_key(self) -> SigningKey:
        return self.issuer.rotate_key()

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        runner = web.AppRunner(create_app(self.issuer, self._requests), access_log=None)
        try:
            self._loop.run_until_complete(runner.setup())
            self._loop.run_until_complete(web.SockSite(runner, self._sock).start())
        except BaseException as error:  # reported to the starting thread, which re-raises it
            self._failure = error
            self._started.set()
            return
        self._started.set()
        self._loop.run_forever()
        self._loop.run_until_complete(runner.cleanup())
        self._loop.close()

    def start(self) -> RunningIssuer:
        self._thread.start()
        started = self._started.wait(START_TIMEOUT_SECONDS)
        if started and self._failure is None:
            return self
        self.stop()
        raise RuntimeError("local OIDC issuer failed to start") from self._failure

    def stop(self) -> None:
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(START_TIMEOUT_SECONDS)
        self._sock.close()

    def __enter__(self) -> RunningIssuer:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def start_issuer(
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    key_file: Path | None = None,
    audience: str = DEFAULT_AUDIENCE,
    scope: str = DEFAULT_SCOPE,
    clock: Clock = system_clock,
) -> RunningIssuer:
    """Start an issuer on `host:port` (port 0: a free one). `key_file` keeps the signing key across
    restarts (created if missing); without it a fresh key is generated. Loopback hosts only."""
    if not ipaddress.ip_address(host).is_loopback:
        raise ValueError("the local OIDC issuer binds to loopback addresses only")
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    bound_port = sock.getsockname()[1]
    authority = f"[{host}]" if ":" in host else host
    key = SigningKey.load_or_create(key_file) if key_file else SigningKey.generate()
    issuer = LocalIssuer(
        f"http://{authority}:{bound_port}", audience=audience, scope=scope, key=key, clock=clock
    )
    return RunningIssuer(issuer, sock).start()
