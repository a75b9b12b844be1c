"""The web app's cold load: the JS and CSS a first visit downloads (as served, and gzip-compressed as a
CDN or gateway with compression would ship it), and the time from navigation to the overview's numbers
in headless Chromium on loopback, for a signed-in person with an empty cache.

`running_app` assembles what `make run` runs (identity provider, Graph simulator, the app on the local
Functions host, the gateway serving web/dist) on free ports; the browser tests use it too.
"""

from __future__ import annotations

import base64
import gzip
import json
import secrets
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Browser, Response, sync_playwright

from dev.azurite import REPO_ROOT
from dev.gateway import GatewayConfig, RunningGateway, bind_loopback
from dev.graph_sim import SimulatorConfig, start_simulator
from dev.host import run_host_in_thread
from dev.host.config import default_settings_file, read_settings_file
from dev.oidc.code_flow import demo_access_token
from dev.oidc.provider import APP_REDIRECT_URI, RunningProvider, SeedAccount, demo_accounts, start_provider
from dev.run import DEMO_PRICES_GBP
from dev.seed import seed_demo
from dev.totp import StepLedger, totp_secret
from shared.licensing import load_catalogue
from shared.secrets import LocalSecretStore
from shared.services import build_services, install_services
from shared.settings import load_settings

WEB = REPO_ROOT / "web"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# The simulator's app registration: a connection with this client id and its secret is the "good" one.
GRAPH_CLIENT_ID = "0b3e6d1c-2222-4000-a000-00000000c0de"
SUPER = "super@northwind.example"
BENCH_ACCOUNTS = 300
COLD_LOADS = 5
# Everything the build reads: the app is rebuilt when one of them is newer than the last build.
BUILD_INPUTS = (
    "src",
    "public",
    "index.html",
    "package.json",
    "package-lock.json",
    "vite.config.ts",
    "tsconfig.json",
)


@dataclass(frozen=True)
class GraphTenant:
    """The simulator's tenant and the app registration a customer would enter to connect it."""

    tenant_id: str
    client_id: str
    client_secret: str


@dataclass(frozen=True)
class RunningApp:
    app_url: str
    provider: RunningProvider
    demo_file: Path
    graph: GraphTenant

    @property
    def api(self) -> str:
        """The API through the gateway, where the app calls it."""
        return f"{self.app_url}/api/v1"


def _newest_input() -> float:
    paths = [WEB / name for name in BUILD_INPUTS] + [REPO_ROOT / "openapi.json"]
    files = [file for path in paths for file in ([path] if path.is_file() else path.rglob("*"))]
    return max(file.stat().st_mtime for file in files if file.is_file())


def build_web_if_stale() -> None:
    built = WEB / "dist" / "index.html"
    if built.is_file() and built.stat().st_mtime >= _newest_input():
        return
    npm = shutil.which("npm")
    assert npm is not None, "npm is required to build the web app"
    if not (WEB / "node_modules" / ".package-lock.json").is_file():
        subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=WEB, check=True)  # noqa: S603
    subprocess.run([npm, "run", "--silent", "build"], cwd=WEB, check=True, stdout=subprocess.DEVNULL)  # noqa: S603


@contextmanager
def running_app(
    connection_string: str,
    folder: Path,
    base_settings: Mapping[str, str],
    *,
    accounts: int = BENCH_ACCOUNTS,
    other_accounts: Sequence[SeedAccount] = (),
    rightsizing_plants: bool = False,
) -> Iterator[RunningApp]:
    """The demo organisation seeded (members bound to the provider's accounts, TOTP enrolled, nothing
    connected yet) and the whole app on free loopback ports. `other_accounts` are provider accounts
    besides the demo members' (an operator's, say); `rightsizing_plants` plants right-sizing candidates
    in the simulator's tenant."""
    build_web_if_stale()
    graph_secret = secrets.token_urlsafe(16)
    # The gateway's port comes first: the provider allow-lists the app's exact redirect URI on it.
    sock = bind_loopback("127.0.0.1", 0)
    app_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    simulator_config = SimulatorConfig(
        accounts=accounts,
        seed=11,
        as_of=datetime.now(UTC).date(),
        client_secret=graph_secret,
        rightsizing_plants=rightsizing_plants,
    )
    with (
        start_provider(
            # The app's callback on the gateway, and dev.login's (scripted sign-ins).
            redirect_uris=[f"{app_url}/auth/callback", APP_REDIRECT_URI],
            post_logout_redirect_uris=[f"{app_url}/"],
            seed=[*demo_accounts(), *other_accounts],
        ) as provider,
        start_simulator(simulator_config) as simulator,
    ):
        settings = {
            **base_settings,
            "AzureWebJobsStorage": connection_string,
            "INSIGHT365_OIDC_ISSUER": provider.issuer_url,
            "INSIGHT365_GRAPH_BASE_URL": simulator.graph_url,
            "INSIGHT365_GRAPH_AUTHORITY": simulator.base_url,
            "INSIGHT365_SECRET_STORE": "local",
            "INSIGHT365_LOCAL_SECRETS_PATH": str(folder / "secrets.json"),
            "INSIGHT365_REFRESH_SCHEDULE": "0 0 0 1 1 *",
            "INSIGHT365_RETENTION_SCHEDULE": "0 0 0 1 1 *",
        }
        services = build_services(load_settings(settings))
        previous = install_services(services)
        store = LocalSecretStore(folder / "secrets.json")
        store.set("mfa-key-1", base64.b64encode(secrets.token_bytes(32)).decode())
        demo_file = folder / "demo-members.json"
        seed_demo(services, store, issuer_url=provider.issuer_url, demo_file=demo_file)
        graph = GraphTenant(simulator.tenant.spec.tenant_id, GRAPH_CLIENT_ID, graph_secret)
        try:
            with run_host_in_thread(REPO_ROOT, settings) as host:
                config = GatewayConfig(api_url=host.base_url, issuer=provider.issuer_url)
                with RunningGateway(config, sock).start():
                    yield RunningApp(app_url, provider, demo_file, graph)
        finally:
            install_services(previous)


def open_session(client: httpx.Client, app: RunningApp, email: str, ledger: StepLedger) -> dict[str, Any]:
    """Sign in as a script does: a token from the provider, then a session with an unused TOTP code.
    The token, and the opened session as the API returned it."""
    token = demo_access_token(app.provider.issuer_url, email)
    reservation = ledger.reserve(totp_secret(email, app.demo_file))
    time.sleep(max(0.0, reservation.usable_at - time.time()))
    opened = client.post(
        f"{app.api}/session", headers={"Authorization": f"Bearer {token}"}, json={"code": reservation.code}
    )
    assert opened.status_code == 201, opened.text
    return {"access_token": token, **opened.json()}


def publish_first_refresh(client: httpx.Client, app: RunningApp, headers: Mapping[str, str]) -> None:
    """What a new customer's super admin does: connect the tenant, set prices, refresh, wait."""
    graph = app.graph
    connected = client.put(
        f"{app.api}/integrations/m365",
        headers=headers,
        json={
            "tenant_id": graph.tenant_id,
            "client_id": graph.client_id,
            "client_secret": graph.client_secret,
        },
    )
    assert connected.status_code == 200, connected.text
    catalogue = load_catalogue()
    prices = {
        sku.id: {"currency": "GBP", "monthly": monthly}
        for part, monthly in DEMO_PRICES_GBP.items()
        if (sku := catalogue.by_part_number(part)) is not None
    }
    priced = client.put(f"{app.api}/metadata/prices", headers=headers, json={"prices": prices})
    assert priced.status_code == 200, priced.text
    started = client.post(f"{app.api}/integrations/m365/refresh", headers=headers)
    assert started.status_code == 202, started.text
    run_id = started.json()["run_id"]
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        run = client.get(f"{app.api}/runs/{run_id}", headers=headers).json()
        if run["state"] in ("published", "failed"):
            assert run["state"] == "published", f"the first refresh failed: {run['error']}"
            return
        time.sleep(0.5)
    raise AssertionError("the first refresh was not published in time")


def _signed_in_storage(app: RunningApp, email: str, opened: dict[str, Any]) -> str:
    """A script that puts a signed-in person's tokens where the app keeps them (sessionStorage), so a
    cold load measures the app, not the sign-in pages."""
    now = time.time()
    user = {
        "access_token": opened["access_token"],
        "token_type": "Bearer",
        "scope": "openid profile email access_as_user",
        "profile": {"sub": email, "email": email, "iss": app.provider.issuer_url, "aud": "insight365-spa"},
        "expires_at": int(now) + 3600,
    }
    session = {
        "token": opened["session_token"],
        "memberId": opened["member_id"],
        "role": opened["role"],
        "idleExpiresAt": (now + 3600) * 1000,
        "absoluteExpiresAt": (now + 3600) * 1000,
    }
    user_key = f"oidc.user:{app.provider.issuer_url}:insight365-spa"
    return (
        f"sessionStorage.setItem({json.dumps(user_key)}, {json.dumps(json.dumps(user))});"
        f"sessionStorage.setItem('insight365.session', {json.dumps(json.dumps(session))});"
    )


def _one_cold_load(browser: Browser, app: RunningApp, storage_script: str) -> dict[str, Any]:
    """One visit with a new profile (empty cache): the JS and CSS fetched, and when the numbers showed."""
    context = browser.new_context(locale="en-GB")
    context.add_init_script(storage_script)
    page = context.new_page()
    responses: list[Response] = []

    def keep(response: Response) -> None:  # Playwright tags its handlers: a plain function, not list.append
        responses.append(response)

    page.on("response", keep)
    try:
        page.goto(f"{app.app_url}/")
        page.get_by_test_id("figure-utilisation").wait_for()
        figures_ms = page.evaluate("performance.now()")
        shipped = {
            response.url: response.body()
            for response in responses
            if response.request.resource_type in ("script", "stylesheet")
        }
    finally:
        context.close()
    compressed = {url: len(gzip.compress(body, 9)) for url, body in shipped.items()}
    return {
        "figures_ms": figures_ms,
        "files": len(shipped),
        "bytes": sum(len(body) for body in shipped.values()),
        "gzip_bytes": sum(compressed.values()),
        "js_gzip_bytes": sum(size for url, size in compressed.items() if url.endswith(".js")),
    }


def _cold_load(app: RunningApp, storage_script: str) -> dict[str, Any]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            loads = [_one_cold_load(browser, app, storage_script) for _ in range(COLD_LOADS)]
        finally:
            browser.close()
    first = loads[0]
    return {
        "loads": COLD_LOADS,
        "files": first["files"],
        "bytes": first["bytes"],
        "gzip_bytes": first["gzip_bytes"],
        "js_gzip_bytes": first["js_gzip_bytes"],
        "figures_ms_median": statistics.median(load["figures_ms"] for load in loads),
        "figures_ms_max": max(load["figures_ms"] for load in loads),
    }


def measure(connection_string: str) -> dict[str, Any]:
    """Cold loads of the overview for the demo organisation's super admin after its first refresh."""
    path = default_settings_file(REPO_ROOT)
    base = read_settings_file(path) if path else {}
    with (
        tempfile.TemporaryDirectory(prefix="bench-web-") as scratch,
        running_app(connection_string, folder := Path(scratch), base) as app,
        httpx.Client(timeout=60, trust_env=False) as client,
    ):
        ledger = StepLedger(folder / "steps.json")
        opened = open_session(client, app, SUPER, ledger)
        headers = {"Authorization": f"Bearer {opened['access_token']}", "X-Session": opened["session_token"]}
        publish_first_refresh(client, app, headers)
        return _cold_load(app, _signed_in_storage(app, SUPER, opened)) | {"accounts": BENCH_ACCOUNTS}


def describe(measured: dict[str, Any]) -> str:
    """The bench table's line."""
    return (
        f"Web app cold load (headless Chromium, loopback, empty cache, {measured['loads']} loads): "
        f"{measured['files']} JS/CSS files, {measured['bytes'] / 1024:.0f} KiB as served, "
        f"{measured['gzip_bytes'] / 1024:.0f} KiB gzip-compressed "
        f"(JS {measured['js_gzip_bytes'] / 1024:.0f} KiB; goal < 500 KB); overview's numbers after "
        f"{measured['figures_ms_median']:.0f} ms median, "
        f"{measured['figures_ms_max']:.0f} ms slowest (goal < 1,500 ms)"
    )
