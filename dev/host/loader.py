"""Index a v2 app: import `<app_dir>/function_app.py` and read `FunctionApp.get_functions()`.

This is "worker indexing" (§4.2, §5.1): the binding metadata is the same function.json the worker
sends the host, with `%SETTING%` references resolved and disabled functions left out (§9.1–9.2).
"""

from __future__ import annotations

import hashlib
import importlib.util
import inspect
import json
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import azure.functions as func

from dev.host.config import HostConfigError, is_true, resolve_setting_references

HTTP_TRIGGER = "httpTrigger"
QUEUE_TRIGGER = "queueTrigger"
TIMER_TRIGGER = "timerTrigger"
SUPPORTED_TRIGGERS = {HTTP_TRIGGER, QUEUE_TRIGGER, TIMER_TRIGGER}
RETURN = "$return"


@dataclass(frozen=True)
class FunctionSpec:
    """One indexed function: what the host needs to listen for it and to invoke it."""

    name: str
    trigger: Mapping[str, Any]  # the trigger binding, settings resolved
    outputs: tuple[Mapping[str, Any], ...]  # output bindings other than the HTTP response
    has_return_binding: bool
    user_function: Callable[..., Any]
    wants_context: bool

    @property
    def trigger_type(self) -> str:
        return str(self.trigger["type"])

    @property
    def is_async(self) -> bool:
        return inspect.iscoroutinefunction(self.user_function)


def import_app(app_dir: Path) -> func.FunctionApp:
    path = app_dir / "function_app.py"
    if not path.exists():
        raise HostConfigError(f"{path} not found")
    # The app imports its own packages (functions/, shared/) relative to its folder, as in Azure.
    if str(app_dir) not in sys.path:
        sys.path.insert(0, str(app_dir))
    # A name unique per app folder, so two hosts in one process (tests) never share a module.
    module_name = "function_app_" + hashlib.sha256(str(app_dir).encode()).hexdigest()[:12]
    spec = importlib.util.spec_from_file_location(module_name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    apps = [value for value in vars(module).values() if isinstance(value, func.FunctionApp)]
    if len(apps) != 1:
        raise HostConfigError(f"{path} must define exactly one FunctionApp, found {len(apps)}")
    return apps[0]


def _resolve(binding: Mapping[str, Any], settings: Mapping[str, str]) -> dict[str, Any]:
    return {
        key: resolve_setting_references(value, settings) if isinstance(value, str) else value
        for key, value in binding.items()
    }


def load_functions(
    app_dir: Path, settings: Mapping[str, str], only: tuple[str, ...] | None = None
) -> list[FunctionSpec]:
    """Index the app. Raises on what the host would reject (duplicates, bad settings, unknown types)."""
    specs = []
    for function in import_app(app_dir).get_functions():  # validates names and trigger counts
        name = str(function.get_function_name())
        if is_true(settings.get(f"AzureWebJobs.{name}.Disabled")) or (only is not None and name not in only):
            continue
        bindings = [_resolve(b, settings) for b in json.loads(function.get_function_json())["bindings"]]
        trigger = next(b for b in bindings if str(b["type"]).endswith("Trigger"))
        if trigger["type"] not in SUPPORTED_TRIGGERS:
            raise HostConfigError(f"function {name}: trigger {trigger['type']} is not supported locally")
        outputs = tuple(b for b in bindings if b["direction"] == "OUT" and b["type"] != "http")
        unsupported = sorted({str(b["type"]) for b in outputs} - {"queue"})
        if unsupported or any(b["direction"] == "IN" and b is not trigger for b in bindings):
            raise HostConfigError(f"function {name}: only queue output bindings are supported locally")
        user_function = function.get_user_function()
        specs.append(
            FunctionSpec(
                name=name,
                trigger=trigger,
                outputs=outputs,
                has_return_binding=any(b["name"] == RETURN for b in bindings),
                user_function=user_function,
                wants_context="context" in inspect.signature(user_function).parameters,
            )
        )
    return specs
