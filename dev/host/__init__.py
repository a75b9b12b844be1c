"""Local Azure Functions host (Python v2 programming model) with the real host's trigger semantics.

Azure Functions Core Tools cannot be installed offline, so this package drives `function_app.py`
itself, following /work/shared/reference/functions_host.md §1–§5 and §9: HTTP routes under
`/<routePrefix>/`, queue triggers with batch polling, back-off, visibility and `<queue>-poison`,
queue output bindings written only on success, NCRONTAB timers with past-due status blobs,
`functionTimeout`, sync functions in a thread pool and async ones on the event loop.

Command line (foreground until Ctrl-C)::

    python -m dev.host [--app-dir .] [--port 7071] [--settings local.settings.json]

Public API::

    LocalHost(app_dir: str | Path, settings: Mapping[str, str] | None = None, *, port: int = 7071,
              settings_file: Path | None = None, shutdown_grace: float = 5.0)
        async start() -> None         # apply settings, index the app, listen (port 0 = a free port)
        async stop() -> None          # stop listeners, drain in-flight work, restore os.environ
        base_url: str; port: int; functions: list[FunctionSpec]; host_json: HostJson

    run_host_in_thread(app_dir, settings=None, *, port=0, start_timeout=30.0)
        -> ContextManager[RunningHost]  # a LocalHost on its own loop in a thread; stops and joins on exit
    RunningHost: host: LocalHost; loop: AbstractEventLoop; base_url: str; port: int

    timer_status_blob_name(host_id: str, function_name: str) -> str
        # "timers/<hostId>/Host.Functions.<name>/status" in container "azure-webjobs-hosts"

Settings: `settings` (a dict) wins over the environment; otherwise local.settings.json, else
local.settings.sample.json, never overriding variables already set (as Core Tools). Honoured keys
include `AzureWebJobsStorage` (and any connection name, `UseDevelopmentStorage=true` = Azurite's
default ports), `AzureWebJobs.<name>.Disabled`, `PYTHON_THREADPOOL_THREAD_COUNT`,
`FUNCTIONS_REQUEST_BODY_SIZE_LIMIT` and `AzureFunctionsWebHost__hostid` (else host.json `id`, else
the app folder name).

Admin endpoint: `POST /admin/functions/<name>` with `{"input": "..."}` runs a queue or timer function
once and answers 202 (auth is not checked locally, as Core Tools).

Logs: one JSON object per line on the `dev.host` logger; each invocation logs function,
invocation_id, trigger, duration_ms, outcome and error_type — never bodies or exception messages.

Differences from Azure, by design or necessity: one instance (no timer singleton lease); a sync
function that exceeds functionTimeout keeps its thread until it returns (Azure restarts the worker);
only HTTP, queue and timer triggers and queue output bindings; no identity-based connections.
"""

from dev.host.host import LocalHost
from dev.host.runner import RunningHost, run_host_in_thread
from dev.host.timers import timer_status_blob_name

__all__ = ["LocalHost", "RunningHost", "run_host_in_thread", "timer_status_blob_name"]
