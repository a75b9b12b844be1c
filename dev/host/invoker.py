"""Run one invocation the way the Python worker does (§5.2, §9.8).

`async def` functions run on the host's event loop; sync ones in a ThreadPoolExecutor sized by
PYTHON_THREADPOOL_THREAD_COUNT (None = Python's default, as the worker on 3.9+). `functionTimeout`
makes an invocation fail with the host's log message. Outputs are written only when the function
succeeded; a failure to write them fails the invocation, as in the host.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import logging
import time
import uuid
from collections.abc import Callable, Coroutine, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from dev.host.bindings import WORKER_THREAD_LOCAL, InvocationContext, OutValue, QueueOutput
from dev.host.config import format_timespan
from dev.host.loader import RETURN, FunctionSpec
from dev.host.logs import log_event, log_invocation


class FunctionTimeoutError(TimeoutError):
    """The webjobs FunctionTimeoutException: the invocation ran longer than functionTimeout."""


@dataclass(frozen=True)
class InvocationResult:
    invocation_id: str
    return_value: Any
    error: BaseException | None

    @property
    def succeeded(self) -> bool:
        return self.error is None


# Invoker.invoke as the listeners and the HTTP front end see it: (function, trigger value, trigger label).
Invoke = Callable[[FunctionSpec, Any, str], Coroutine[Any, Any, InvocationResult]]


class Invoker:
    def __init__(
        self,
        *,
        function_timeout: float | None,
        thread_count: int | None,
        function_directory: str,
        queue_output: QueueOutput,
    ) -> None:
        self._timeout = function_timeout
        self._executor = ThreadPoolExecutor(max_workers=thread_count, thread_name_prefix="dev-host-worker")
        self._function_directory = function_directory
        self._queue_output = queue_output

    async def invoke(self, spec: FunctionSpec, trigger_value: Any, trigger_label: str) -> InvocationResult:
        invocation_id = str(uuid.uuid4())
        started = time.perf_counter()
        outputs: dict[str, OutValue[Any]] = {
            b["name"]: OutValue() for b in spec.outputs if b["name"] != RETURN
        }
        kwargs: dict[str, Any] = {spec.trigger["name"]: trigger_value, **outputs}
        if spec.wants_context:
            kwargs["context"] = InvocationContext(invocation_id, spec.name, self._function_directory)
        error: BaseException | None = None
        value: Any = None
        try:
            value = await self._call_with_timeout(spec, kwargs, invocation_id)
            if value is not None and not spec.has_return_binding:
                raise RuntimeError(
                    f"function {spec.name!r} without a $return binding returned a non-None value"
                )
            await self._write_outputs(spec, outputs, value)
        except Exception as exc:  # the function's own failure is the invocation's outcome, never the host's
            error = exc
        log_invocation(
            function=spec.name,
            invocation_id=invocation_id,
            trigger=trigger_label,
            duration_ms=(time.perf_counter() - started) * 1000,
            error=error,
        )
        return InvocationResult(invocation_id, value if error is None else None, error)

    async def _call_with_timeout(self, spec: FunctionSpec, kwargs: dict[str, Any], invocation_id: str) -> Any:
        if spec.is_async:
            call = spec.user_function(**kwargs)
        else:
            bound = functools.partial(_run_in_worker_thread, spec, kwargs, invocation_id)
            context = contextvars.copy_context()
            call = asyncio.get_running_loop().run_in_executor(self._executor, context.run, bound)
        try:
            return await asyncio.wait_for(call, self._timeout)
        except TimeoutError:
            assert self._timeout is not None
            log_event(
                logging.ERROR,
                "timeout",
                f"Timeout value of {format_timespan(self._timeout)} exceeded by function "
                f"'Functions.{spec.name}' (Id: '{invocation_id}'). Initiating cancellation.",
                function=spec.name,
                invocation_id=invocation_id,
            )
            # The real host then restarts the worker; a sync function's thread cannot be stopped here
            # and runs to its end in the background.
            raise FunctionTimeoutError(f"functionTimeout exceeded by {spec.name}") from None

    async def _write_outputs(
        self, spec: FunctionSpec, outputs: Mapping[str, OutValue[Any]], value: Any
    ) -> None:
        for binding in spec.outputs:
            output = value if binding["name"] == RETURN else outputs[binding["name"]].get()
            if output is not None:  # an Out left unset is skipped
                await self._queue_output.write(binding, output)

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)


def _run_in_worker_thread(spec: FunctionSpec, kwargs: dict[str, Any], invocation_id: str) -> Any:
    WORKER_THREAD_LOCAL.invocation_id = invocation_id
    return spec.user_function(**kwargs)


async def finish_or_cancel(tasks: set[asyncio.Task[Any]], grace: float) -> None:
    """Shutdown of in-flight invocations: let them finish for `grace` seconds, then cancel the rest."""
    if tasks:
        _, pending = await asyncio.wait(set(tasks), timeout=grace)
        for task in pending:
            await cancel_and_wait(task)


async def cancel_and_wait(task: asyncio.Task[Any]) -> None:
    """Cancel until done: on 3.11 `asyncio.wait_for` swallows a cancel that races with its result."""
    while not task.done():
        task.cancel()
        await asyncio.wait({task}, timeout=0.1)
