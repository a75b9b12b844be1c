"""The local stand-in for Application Gateway in front of the web app: one origin, as in production.

- `/api/*` goes to the local Functions host, untouched (its own security headers included);
- `/config.json` tells the app where its identity provider is (one build serves every environment);
- everything else is the built app (`web/dist`): files as they are, and `index.html` for any other path,
  so a deep link such as `/licences` opens the app on that screen.

The app's pages carry a strict Content-Security-Policy (`app_content_security_policy`); `/api/*` answers
keep the API's own (`default-src 'none'`).

    python -m dev.gateway --port 8080 --api http://127.0.0.1:7071 --issuer http://127.0.0.1:8090
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import socket
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from aiohttp import ClientError, ClientSession, ClientTimeout, hdrs, web

from dev.azurite import REPO_ROOT

WEB_DIST = REPO_ROOT / "web" / "dist"
APP_PORT = 8080  # `make run` serves the app on http://127.0.0.1:8080/
CLIENT_ID = "insight365-spa"
SCOPE = "openid profile email access_as_user"
START_TIMEOUT_SECONDS = 10.0
UPSTREAM_TIMEOUT = ClientTimeout(total=120, sock_connect=5)
# Headers that describe one hop, not the message: never passed on (RFC 9110 §7.6.1), plus those the
# proxy recomputes.
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "host",
        "content-length",
    }
)
# Fluent UI's styling engine (Griffel) and its theme provider insert their rules at run time through the
# CSSOM (`sheet.insertRule`) into <style> elements they create empty. CSP does not govern CSSOM calls,
# only the text of a <style> element: the hash of the empty string admits exactly those empty elements
# and nothing else, so no 'unsafe-inline' is needed.
EMPTY_STYLE_HASH = "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def app_content_security_policy(issuer: str) -> str:
    """The app's CSP: its own scripts only, no eval, no framing, and calls to this origin (the API) and
    the identity provider (discovery, token endpoint) only."""
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            f"style-src 'self' {EMPTY_STYLE_HASH}",
            "img-src 'self' data:",
            f"connect-src 'self' {origin_of(issuer)}",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


@dataclass(frozen=True)
class GatewayConfig:
    api_url: str
    """The Functions host, e.g. http://127.0.0.1:7071."""
    issuer: str
    client_id: str = CLIENT_ID
    scope: str = SCOPE
    dist: Path = WEB_DIST

    def runtime_config(self) -> dict[str, str]:
        """What the app reads at /config.json."""
        return {"issuer": self.issuer, "clientId": self.client_id, "scope": self.scope, "apiBase": ""}


def _page_headers(config: GatewayConfig) -> dict[str, str]:
    return {
        "Content-Security-Policy": app_content_security_policy(config.issuer),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    }


def _bad_gateway() -> web.Response:
    """What Application Gateway answers when the Function App is down, as a problem the app shows."""
    problem = {
        "type": "urn:insight365:problem:bad-gateway",
        "title": "The service is unavailable",
        "status": 502,
        "detail": "The API could not be reached. Try again shortly.",
    }
    return web.Response(
        status=502,
        text=json.dumps(problem),
        content_type="application/problem+json",
        headers={"Cache-Control": "no-store"},
    )


def create_app(config: GatewayConfig) -> web.Application:
    dist = config.dist.resolve()
    index = dist / "index.html"
    page_headers = _page_headers(config)

    async def runtime_config(_: web.Request) -> web.Response:
        return web.json_response(config.runtime_config(), headers={"Cache-Control": "no-store"})

    async def api(request: web.Request) -> web.StreamResponse:
        session: ClientSession = request.app[UPSTREAM]
        headers = {name: value for name, value in request.headers.items() if name.lower() not in HOP_BY_HOP}
        headers["X-Forwarded-For"] = request.remote or ""
        headers["X-Forwarded-Proto"] = request.scheme
        headers["X-Forwarded-Host"] = request.host
        body = await request.read()
        try:
            async with session.request(
                request.method,
                config.api_url + request.rel_url.raw_path_qs,
                headers=headers,
                data=body or None,
                allow_redirects=False,
            ) as upstream:
                payload = await upstream.read()
                response = web.Response(status=upstream.status, body=payload)
                for name, value in upstream.headers.items():
                    if name.lower() not in HOP_BY_HOP:
                        response.headers.add(name, value)
                return response
        except (ClientError, TimeoutError):
            return _bad_gateway()

    async def static(request: web.Request) -> web.StreamResponse:
        relative = request.match_info["path"]
        candidate = (dist / relative).resolve()
        if relative and candidate.is_relative_to(dist) and candidate.is_file():
            # Vite names assets by their content hash: they never change under the same name.
            cache = "public, max-age=31536000, immutable" if relative.startswith("assets/") else "no-cache"
            return web.FileResponse(candidate, headers=page_headers | {"Cache-Control": cache})
        if relative.startswith("assets/") or not index.is_file():
            raise web.HTTPNotFound(headers=page_headers)
        # A deep link: the app's router shows the screen the path names.
        return web.FileResponse(index, headers=page_headers | {"Cache-Control": "no-cache"})

    async def upstream_session(app: web.Application) -> AsyncIterator[None]:
        async with ClientSession(timeout=UPSTREAM_TIMEOUT, auto_decompress=False) as session:
            app[UPSTREAM] = session
            yield

    app = web.Application(client_max_size=2 * 1024 * 1024)
    app.cleanup_ctx.append(upstream_session)
    app.router.add_get("/config.json", runtime_config)
    app.router.add_route(hdrs.METH_ANY, "/api/{tail:.*}", api)
    app.router.add_get("/{path:.*}", static)
    return app


UPSTREAM = web.AppKey("upstream", ClientSession)


async def start_gateway(
    config: GatewayConfig, *, host: str = "127.0.0.1", port: int = APP_PORT
) -> web.AppRunner:
    """Serve the app on the running event loop (`make run`); `await runner.cleanup()` stops it."""
    runner = web.AppRunner(create_app(config), access_log=None)
    await runner.setup()
    await web.SockSite(runner, bind_loopback(host, port)).start()
    return runner


class RunningGateway:
    """A gateway serving on a bound loopback socket from a background thread (tests):
    `with RunningGateway(config, bind_loopback(host, 0)).start() as gateway: ...`"""

    def __init__(self, config: GatewayConfig, sock: socket.socket) -> None:
        self.config = config
        self._sock = sock
        self._loop = asyncio.new_event_loop()
        self._runner = web.AppRunner(create_app(config), access_log=None)
        self._started = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="local-gateway", daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._sock.getsockname()[:2]
        return f"http://{host}:{port}"

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._runner.setup())
        self._loop.run_until_complete(web.SockSite(self._runner, self._sock).start())
        self._started.set()
        self._loop.run_forever()
        self._loop.run_until_complete(self._runner.cleanup())
        self._loop.close()

    def start(self) -> RunningGateway:
        self._thread.start()
        if not self._started.wait(START_TIMEOUT_SECONDS):
            raise RuntimeError("the local gateway did not start")
        return self

    def stop(self) -> None:
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(START_TIMEOUT_SECONDS)
        self._sock.close()

    def __enter__(self) -> RunningGateway:
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()


def bind_loopback(host: str, port: int) -> socket.socket:
    if not ipaddress.ip_address(host).is_loopback:
        raise ValueError("the local gateway binds to loopback addresses only")
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    return sock


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m dev.gateway", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=APP_PORT)
    parser.add_argument("--api", default="http://127.0.0.1:7071", help="the local Functions host")
    parser.add_argument("--issuer", default="http://127.0.0.1:8090", help="the identity provider")
    parser.add_argument("--dist", type=Path, default=WEB_DIST, help="the built app (npm run build)")
    options = parser.parse_args(argv)
    config = GatewayConfig(api_url=options.api, issuer=options.issuer, dist=options.dist)
    if not (options.dist / "index.html").is_file():
        parser.error(f"{options.dist} has no index.html: build the app first (make run does it)")
    sock = bind_loopback(options.host, options.port)
    print(json.dumps({"url": f"http://{options.host}:{options.port}"}), flush=True)
    web.run_app(create_app(config), sock=sock, print=None, access_log=None)


if __name__ == "__main__":
    main()
