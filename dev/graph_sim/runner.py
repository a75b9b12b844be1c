"""Run the simulator in a background thread with its own event loop (tests, `make run`, benchmarks)."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import Future
from types import TracebackType

from aiohttp import web

from dev.graph_sim.app import GraphSimulator
from dev.graph_sim.config import AppRegistration, FaultRule, SimulatorConfig, ThrottleMode
from dev.tenant import GroundTruth, Tenant, TenantSpec


class RunningSimulator:
    """A started simulator. `base_url` is the origin; Graph lives under `base_url + "/v1.0"` and the
    token endpoint under `base_url + "/<tenant id>/oauth2/v2.0/token"`."""

    def __init__(self, config: SimulatorConfig, tenant: Tenant | None = None) -> None:
        self.simulator = GraphSimulator(config, tenant)
        self._loop = asyncio.new_event_loop()
        self._runner: web.AppRunner | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, name="graph-sim", daemon=True)
        self.base_url = ""

    @property
    def tenant(self) -> Tenant:
        return self.simulator.tenant

    @property
    def ground_truth(self) -> GroundTruth:
        return self.simulator.tenant.ground_truth

    @property
    def graph_url(self) -> str:
        return self.base_url + "/v1.0"

    @property
    def token_url(self) -> str:
        return f"{self.base_url}/{self.tenant.spec.tenant_id}/oauth2/v2.0/token"

    def start(self) -> RunningSimulator:
        self.ground_truth  # noqa: B018 -- one full pass up front, not inside the first request
        self._thread.start()
        self.base_url = self._call(self._serve()).result()
        return self

    async def _serve(self) -> str:
        config = self.simulator.config
        self._runner = web.AppRunner(self.simulator.application(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, config.host, config.port)
        await site.start()
        port = self._runner.addresses[0][1]
        return f"http://{config.host}:{port}"

    def _call(self, coroutine: object) -> Future[str]:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop)  # type: ignore[arg-type]

    def issue_token(self) -> str:
        """A valid bearer token without the HTTP exchange."""
        return self.simulator.tokens.issue()

    def set_faults(self, *rules: FaultRule) -> None:
        self._loop.call_soon_threadsafe(self.simulator.set_faults, rules)

    def register_app(self, app: AppRegistration) -> None:
        """Register an app (client id, secret, granted permissions) while the simulator runs; in effect
        when this returns (one dict assignment, atomic across threads)."""
        self.simulator.register_app(app)

    def set_throttling(self, mode: ThrottleMode, time_scale: float | None = None) -> None:
        """Throttling from now on (the configured time scale unless given); in effect when this returns."""
        asyncio.run_coroutine_threadsafe(self._set_throttling(mode, time_scale), self._loop).result()

    async def _set_throttling(self, mode: ThrottleMode, time_scale: float | None) -> None:
        self.simulator.set_throttling(mode, time_scale)

    def add_tenant(self, spec: TenantSpec) -> None:
        """Serve another tenant from now on (tokens for it, its own data and its own quotas)."""
        self.simulator.tenancy.add(spec)

    def throttling_counters(self) -> dict[str, dict[str, int]]:
        """Requests admitted per endpoint and 429s per limit and scope (also `GET /_simulator/throttling`)."""
        return self.simulator.throttle.counters()

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result()
            self._runner = None
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()

    def __enter__(self) -> RunningSimulator:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def start_simulator(config: SimulatorConfig, tenant: Tenant | None = None) -> RunningSimulator:
    """Start serving at once; use as a context manager (`with start_simulator(cfg) as sim:`)."""
    return RunningSimulator(config, tenant).start()
