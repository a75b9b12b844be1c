"""LocalHost: settings → index → listeners and HTTP, on one asyncio event loop."""

from __future__ import annotations

import logging
import os
import re
import uuid
from collections.abc import Mapping
from pathlib import Path

from aiohttp import web

from dev.host.bindings import QueueOutput
from dev.host.config import HostConfigError, HostJson, default_settings_file, read_settings_file
from dev.host.http_server import DEFAULT_BODY_LIMIT, HttpFrontEnd
from dev.host.invoker import Invoker
from dev.host.loader import QUEUE_TRIGGER, TIMER_TRIGGER, FunctionSpec, load_functions
from dev.host.logs import log_event
from dev.host.queue_watcher import QueueWatcher
from dev.host.queues import QueueListener, admin_message, poison_queue_name, validate_queue_name
from dev.host.storage import StorageClients
from dev.host.timers import HOSTS_CONTAINER, ScheduleMonitor, TimerListener, timer_request

LOOPBACK = "127.0.0.1"


def default_host_id(app_dir: Path) -> str:
    """A host id from the app folder (the real one derives from the site name): [a-z0-9-], <= 32 chars."""
    return re.sub(r"[^a-z0-9]+", "-", app_dir.name.lower()).strip("-")[:32] or "local-host"


class LocalHost:
    """One local Functions host for the app in `app_dir`.

    `settings` replaces the settings file when given (tests, the demo orchestrator) and overrides the
    environment; otherwise `settings_file` (default local.settings.json, else local.settings.sample.json)
    is applied without overriding variables already set, as Core Tools does. The environment is
    restored on stop.
    """

    def __init__(
        self,
        app_dir: str | Path,
        settings: Mapping[str, str] | None = None,
        *,
        port: int = 7071,
        settings_file: Path | None = None,
        shutdown_grace: float = 5.0,
    ) -> None:
        self.app_dir = Path(app_dir).resolve()
        self._explicit_settings = dict(settings) if settings is not None else None
        self._settings_file = settings_file
        self._requested_port = port
        self._grace = shutdown_grace
        self._saved_environ: dict[str, str | None] = {}
        self._clients: StorageClients | None = None
        self._invoker: Invoker | None = None
        self._runner: web.AppRunner | None = None
        self._front_end: HttpFrontEnd | None = None
        self._queue_listeners: list[QueueListener] = []
        self._timer_listeners: dict[str, TimerListener] = {}
        self.functions: list[FunctionSpec] = []
        self.host_json = HostJson()
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def _apply_settings(self) -> dict[str, str]:
        if self._explicit_settings is not None:
            values, override = self._explicit_settings, True
        else:
            path = self._settings_file or default_settings_file(self.app_dir)
            values, override = (read_settings_file(path) if path else {}), False
        for key, value in values.items():
            if not override and key in os.environ:
                log_event(logging.INFO, "settings", f"Skipping '{key}': already set in the environment")
                continue
            self._saved_environ.setdefault(key, os.environ.get(key))
            os.environ[key] = value
        return dict(os.environ)

    async def start(self) -> None:
        try:
            await self._start()
        except BaseException:
            await self.stop()
            raise

    async def _start(self) -> None:
        settings = self._apply_settings()
        host_json = self.host_json = HostJson.load(self.app_dir)
        self.functions = load_functions(self.app_dir, settings, host_json.functions)
        clients = self._clients = StorageClients(settings)
        watcher = QueueWatcher()
        thread_count = settings.get("PYTHON_THREADPOOL_THREAD_COUNT")
        self._invoker = Invoker(
            function_timeout=host_json.function_timeout,
            thread_count=int(thread_count) if thread_count else None,
            function_directory=str(self.app_dir),
            queue_output=QueueOutput(clients, watcher, host_json.queues.message_encoding),
        )
        invoke = self._invoker.invoke
        host_id = (
            settings.get("AzureFunctionsWebHost__hostid")
            or host_json.host_id
            or default_host_id(self.app_dir)
        )
        for spec in self.functions:
            for output in spec.outputs:
                validate_queue_name(str(output["queueName"]).lower())
            if spec.trigger_type == QUEUE_TRIGGER:
                service = clients.queue_service(spec.trigger.get("connection"))
                queue_name = validate_queue_name(str(spec.trigger["queueName"]))
                poison = poison_queue_name(queue_name)
                self._queue_listeners.append(
                    QueueListener(
                        spec,
                        queue=service.get_queue_client(queue_name),
                        poison=service.get_queue_client(poison) if poison else None,
                        options=host_json.queues,
                        invoke=invoke,
                        watcher=watcher,
                    )
                )
            elif spec.trigger_type == TIMER_TRIGGER:
                # Timer status lives in the host's own storage account, whatever the function's bindings use.
                container = clients.blob_service(None).get_container_client(HOSTS_CONTAINER)
                monitor = ScheduleMonitor(container, host_id)
                self._timer_listeners[spec.name] = TimerListener(spec, invoke, monitor)
        limit = settings.get("FUNCTIONS_REQUEST_BODY_SIZE_LIMIT")
        self._front_end = HttpFrontEnd(
            self.functions,
            route_prefix=host_json.route_prefix,
            body_limit=int(limit) if limit else DEFAULT_BODY_LIMIT,
            invoke=invoke,
            admin_input=self._admin_input,
        )
        self._runner = web.AppRunner(
            self._front_end.app, access_log=None, handle_signals=False, shutdown_timeout=self._grace
        )
        await self._runner.setup()
        await web.TCPSite(self._runner, LOOPBACK, self._requested_port).start()
        self.port = int(self._runner.addresses[0][1])
        for queue_listener in self._queue_listeners:
            queue_listener.start()
        for timer_listener in self._timer_listeners.values():
            timer_listener.start()
        log_event(
            logging.INFO,
            "host_started",
            base_url=self.base_url,
            host_id=host_id,
            functions=[spec.name for spec in self.functions],
        )

    def _admin_input(self, spec: FunctionSpec, text: str) -> object:
        if spec.trigger_type == QUEUE_TRIGGER:
            return admin_message(str(uuid.uuid4()), text)
        if spec.trigger_type == TIMER_TRIGGER:
            return timer_request(False, self._timer_listeners[spec.name].status)
        raise HostConfigError(f"function {spec.name} cannot be run through the admin endpoint")

    async def stop(self) -> None:
        """Stop listening, let in-flight invocations finish (up to the grace period), release everything."""
        for timer in self._timer_listeners.values():
            await timer.stop()
        for listener in self._queue_listeners:
            await listener.stop(self._grace)
        if self._runner is not None:
            await self._runner.cleanup()  # waits for in-flight requests up to the grace period
        if self._front_end is not None:
            await self._front_end.drain(self._grace)
        if self._invoker is not None:
            self._invoker.close()
        if self._clients is not None:
            await self._clients.close()
        self._timer_listeners.clear()
        self._queue_listeners.clear()
        self._runner = self._front_end = self._invoker = self._clients = None
        for key, value in self._saved_environ.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        self._saved_environ.clear()
        log_event(logging.INFO, "host_stopped")
