"""`make run`: the whole service on this machine, in the foreground; Ctrl-C stops everything it started.

1. Azurite on its well-known ports, data in `.local/azurite` (so `UseDevelopmentStorage=true` reaches it).
2. The local OpenID Connect provider (dev/idp: sign-in pages; signing key in `.local/oidc/`, accounts in
   `.local/idp/`, the demo members' password seeded) and the Graph simulator with a synthetic tenant of
   2,000 accounts, on the ports local.settings(.sample).json names.
3. The demo organisation "Northwind Traders (demo)": one member per role, TOTP enrolled, and a connected
   Microsoft 365 integration whose client secret sits in the local secret store.
4. The local Functions host on 127.0.0.1:7071, then today's refresh at once (the `daily_refresh`
   function, through the host's admin endpoint) with its progress shown until it ends. A restart the same
   day shows today's run (already published: nothing to do; failed: a new refresh is started).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import signal
import socket
import sys
import time
from datetime import UTC, datetime
from urllib.parse import urlsplit

import httpx

from dev.azurite import REPO_ROOT, Azurite, AzuriteError, AzuritePorts
from dev.gateway import APP_PORT, GatewayConfig, start_gateway
from dev.graph_sim import SimulatorConfig, start_simulator
from dev.graph_sim.runner import RunningSimulator
from dev.host import LocalHost
from dev.host.config import default_settings_file, read_settings_file
from dev.oidc.provider import DEMO_PASSWORD, start_dev_provider
from dev.seed import DEMO_MEMBERS, seed_demo
from dev.smtp import DEFAULT_PORT as DEFAULT_SMTP_PORT
from dev.smtp import start_smtp
from shared.integrations import IntegrationRepository, M365Integration, secret_name_for
from shared.licensing import load_catalogue
from shared.messages import RefreshTenant
from shared.metadata import MetadataRepository, Price, Prices
from shared.runs import RunRecord, RunRepository, daily_run_id, member_run_id, new_run
from shared.secrets import SecretNotFoundError, SecretStore
from shared.services import Services, get_services
from shared.storage import QueueName, QueueSender, TenantContext, ensure_storage

LOCAL_DATA = REPO_ROOT / ".local"
DEMO_ACCOUNTS = 2000
DEMO_CLIENT_ID = "5b0e8c39-7d1a-4a8e-9f2b-1c3d4e5f6a7b"  # the demo app registration (synthetic)
PROGRESS_TIMEOUT_SECONDS = 600
# Illustrative monthly list prices (GBP, annual commitment) so the demo shows money, not only seats.
DEMO_PRICES_GBP = {
    "SPE_E3": 33.0,
    "SPE_E5": 54.75,
    "ENTERPRISEPACK": 19.0,
    "ENTERPRISEPREMIUM": 35.0,
    "STANDARDPACK": 7.5,
    "SPB": 18.1,
    "O365_BUSINESS_PREMIUM": 10.3,
    "O365_BUSINESS_ESSENTIALS": 5.0,
    "EXCHANGESTANDARD": 3.2,  # the mail-only right-sizing targets: Exchange Online (Plan 1), Kiosk
    "EXCHANGEDESKLESS": 1.7,
    "SPE_F1": 7.5,
    "POWER_BI_PRO": 10.5,
    "VISIOCLIENT": 11.3,
    "PROJECTPROFESSIONAL": 22.6,
    "MCOEV": 7.5,
    "AAD_PREMIUM": 4.5,
    "AAD_PREMIUM_P2": 6.7,
    "Microsoft_365_Copilot": 24.6,
}


def _port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _port_of(url: str) -> int:
    return urlsplit(url).port or 80


def _apply_settings() -> dict[str, str]:
    """The host's settings (local.settings.json, else the sample) in os.environ, as Core Tools does."""
    path = default_settings_file(REPO_ROOT)
    values = read_settings_file(path) if path else {}
    for key, value in values.items():
        os.environ.setdefault(key, value)
    return {key: os.environ[key] for key in values}


def _client_secret(store: SecretStore, tenant: TenantContext) -> str:
    """The demo integration's client secret: made once, kept in the local secret store."""
    name = secret_name_for(tenant)
    try:
        return store.get(name)
    except SecretNotFoundError:
        value = secrets.token_urlsafe(32)
        store.set(name, value)
        return value


def _price_demo_skus(services: Services, tenant: TenantContext) -> None:
    metadata = MetadataRepository(services.storage, tenant, services.page_signer)
    if metadata.prices():
        return  # prices someone set through the API stay as they are
    catalogue = load_catalogue()
    prices = {
        sku.id: Price(currency="GBP", monthly=monthly)
        for part, monthly in DEMO_PRICES_GBP.items()
        if (sku := catalogue.by_part_number(part)) is not None
    }
    metadata.save_prices(Prices(prices=prices))


def _connect_integration(services: Services, tenant: TenantContext, graph_tenant_id: str) -> None:
    integrations = IntegrationRepository(services.storage, tenant, services.page_signer)
    if integrations.find() is None:
        integrations.save(
            M365Integration(
                tenant_id=graph_tenant_id,
                client_id=DEMO_CLIENT_ID,
                secret_name=secret_name_for(tenant),
                connected_at=datetime.now(UTC),
            )
        )


def _describe(run: RunRecord) -> str:
    done = sum(1 for dataset in run.datasets.values() if dataset.status in ("complete", "unavailable"))
    rows = sum(dataset.rows for dataset in run.datasets.values())
    failed = [name for name, dataset in run.datasets.items() if dataset.status == "failed"]
    text = f"  refresh {run.run_id}: {run.state:<10} datasets {done}/{len(run.datasets)}  rows {rows:,}"
    return text + (f"  failed: {', '.join(failed)}" if failed else "")


async def _start_refresh(base_url: str, services: Services, tenant: TenantContext) -> str:
    """Start today's refresh; the id of the run to follow.

    The scheduled run of a day has a fixed id and is never run twice, so a restart the same day follows
    that run, not whichever run is newest (a "refresh now" of the organisation may be newer). If today's
    run failed, the run of today started since is followed, or else a new one is started the way "refresh
    now" starts one (so restarting never starts a second).
    """
    runs = RunRepository(services.storage, tenant, services.page_signer)
    now = datetime.now(UTC)
    today = await asyncio.to_thread(runs.find, daily_run_id(now.date()))
    if today is not None and today.as_seen(now).state == "failed":
        recent = await asyncio.to_thread(runs.list_recent, 10)
        since = next((r for r in recent if r.as_of == now.date() and r.as_seen(now).state != "failed"), None)
        if since is not None:  # a restart: follow the run an earlier start (or "refresh now") began
            print(f"Today's scheduled refresh failed; following {since.run_id}.", flush=True)
            return since.run_id
        print(
            f"Today's scheduled refresh failed ({today.as_seen(now).error}); starting a new one.", flush=True
        )
        run = await asyncio.to_thread(
            runs.create_if_absent, new_run(member_run_id(now), now.date(), "member", now)
        )
        message = RefreshTenant(org_id=tenant.org_id, run_id=run.run_id, as_of=run.as_of, trigger="member")
        await asyncio.to_thread(QueueSender(services.storage, QueueName.REFRESH_TENANT).send, message)
        return run.run_id
    if today is None:
        async with httpx.AsyncClient(base_url=base_url, trust_env=False) as client:
            response = await client.post("/admin/functions/daily_refresh", json={"input": ""})
            response.raise_for_status()
        print("Refresh started (daily_refresh → refresh-tenant → compute-insights):", flush=True)
    return daily_run_id(now.date())


async def _show_refresh(
    base_url: str, services: Services, tenant: TenantContext, stopping: asyncio.Event
) -> None:
    """Print the progress of today's refresh until it ends."""
    runs = RunRepository(services.storage, tenant, services.page_signer)
    run_id = await _start_refresh(base_url, services, tenant)
    started, last = time.monotonic(), ""
    while not stopping.is_set() and time.monotonic() - started < PROGRESS_TIMEOUT_SECONDS:
        found = await asyncio.to_thread(runs.find, run_id)
        if found is not None:
            run = found.as_seen(datetime.now(UTC))
            line = _describe(run)
            if line != last:
                print(line, flush=True)
                last = line
            if run.state in ("published", "failed"):
                detail = run.error or f"{len(run.warnings)} warning(s): see GET /api/v1/runs/{run.run_id}"
                print(f"Refresh {run.state} ({detail}).", flush=True)
                return
        await asyncio.sleep(1)


def _print_welcome(base_url: str) -> None:
    emails = ", ".join(f"{email} ({role})" for email, role, _, _ in DEMO_MEMBERS)
    print(
        f"\nInsight365 is running. API base URL: {base_url}/api/v1\n"
        f"  curl -si {base_url}/api/v1/health\n"
        f"  Demo members: {emails}\n"
        f"  Demo password (development only): {DEMO_PASSWORD}\n"
        "  A TOTP code for a demo member: .venv/bin/python -m dev.totp admin@northwind.example\n"
        "  Sign in (writes the two headers every call needs), then call the API:\n"
        "    .venv/bin/python -m dev.login admin@northwind.example > .local/headers\n"
        f"    curl -s {base_url}/api/v1/insights/utilisation -H @.local/headers\n"
        "Press Ctrl-C to stop.\n",
        flush=True,
    )


async def _serve(port: int, services: Services, tenant: TenantContext) -> None:
    host = LocalHost(REPO_ROOT, port=port)
    await host.start()
    gateway = await start_gateway(
        GatewayConfig(api_url=host.base_url, issuer=os.environ["INSIGHT365_OIDC_ISSUER"])
    )
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopping.set)
    try:
        _print_welcome(host.base_url)
        print(f"Open the web app: http://127.0.0.1:{APP_PORT}/ (sign in as a demo member)\n", flush=True)
        await _show_refresh(host.base_url, services, tenant, stopping)
        await stopping.wait()
    finally:
        print("\nStopping ...", flush=True)
        await gateway.cleanup()
        await host.stop()


def _start_simulator(settings: dict[str, str], client_secret: str) -> RunningSimulator:
    config = SimulatorConfig(
        accounts=DEMO_ACCOUNTS,
        port=_port_of(settings["INSIGHT365_GRAPH_AUTHORITY"]),
        client_secret=client_secret,
        rightsizing_plants=True,
    )
    return start_simulator(config)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=7071, help="HTTP port of the local Functions host")
    args = parser.parse_args()
    settings = _apply_settings()
    ports = AzuritePorts.default()
    wanted = [args.port, ports.blob, ports.queue, ports.table, APP_PORT]
    wanted += [_port_of(settings["INSIGHT365_OIDC_ISSUER"]), _port_of(settings["INSIGHT365_GRAPH_AUTHORITY"])]
    busy = [port for port in wanted if _port_in_use(port)]
    if busy:
        print(f"make run: port(s) {busy} are in use on 127.0.0.1; stop what holds them.", file=sys.stderr)
        return 1
    try:
        with Azurite(ports, location=LOCAL_DATA / "azurite"):
            print(f"Azurite on 127.0.0.1:{ports.blob}-{ports.table} (data in .local/azurite)", flush=True)
            services = get_services()
            ensure_storage(services.storage)
            issuer_url = settings["INSIGHT365_OIDC_ISSUER"]
            smtp_port = int(
                settings.get("INSIGHT365_SMTP_SERVER", "").rpartition(":")[2] or DEFAULT_SMTP_PORT
            )
            with (
                start_smtp(LOCAL_DATA / "mail", port=smtp_port) as mailbox,
                start_dev_provider(LOCAL_DATA, port=_port_of(issuer_url)),
            ):
                print(f"SMTP server on {mailbox.address} (operations mail in .local/mail)", flush=True)
                print(f"OpenID Connect provider on {issuer_url} (log in .local/idp/provider.log)", flush=True)
                tenant = seed_demo(services, services.secrets, issuer_url=issuer_url)
                with _start_simulator(settings, _client_secret(services.secrets, tenant)) as simulator:
                    print(
                        f"Graph simulator on {simulator.graph_url} ({DEMO_ACCOUNTS:,} accounts)", flush=True
                    )
                    _connect_integration(services, tenant, simulator.tenant.spec.tenant_id)
                    _price_demo_skus(services, tenant)
                    asyncio.run(_serve(args.port, services, tenant))
    except AzuriteError as error:
        print(f"make run: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
