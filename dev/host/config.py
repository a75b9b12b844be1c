"""App settings (local.settings.json) and host.json, read the way the Functions host reads them.

Sources: functions_host.md §1.1 (queue options), §3 (routePrefix), §4 (host.json, functionTimeout,
local.settings.json).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class HostConfigError(ValueError):
    """host.json or the app settings are invalid; the real host refuses to start in the same cases."""


# .NET TimeSpan "[-][d.]hh:mm:ss[.fffffff]", the only duration syntax host.json uses.
_TIMESPAN = re.compile(
    r"^(?:(?P<days>\d+)\.)?(?P<h>\d{1,2}):(?P<m>\d{1,2}):(?P<s>\d{1,2})(?:\.(?P<f>\d{1,7}))?$"
)


def parse_timespan(text: str) -> float:
    """Seconds in a .NET TimeSpan string such as "00:05:00" or "1.00:00:00"."""
    match = _TIMESPAN.match(text.strip())
    if match is None:
        raise HostConfigError(f"not a TimeSpan (expected hh:mm:ss): {text!r}")
    days = int(match["days"] or 0)
    fraction = float(f"0.{match['f']}") if match["f"] else 0.0
    return days * 86400 + int(match["h"]) * 3600 + int(match["m"]) * 60 + int(match["s"]) + fraction


def format_timespan(seconds: float) -> str:
    """The inverse of parse_timespan, used in host log messages ("Timeout value of 00:00:01 ...")."""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    text = f"{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"
    fraction = round(seconds - whole, 7)
    return f"{text}.{int(fraction * 10**7):07d}" if fraction else text


@dataclass(frozen=True)
class QueueOptions:
    """`extensions.queues` with the extension's defaults and validation rules (§1.1)."""

    batch_size: int = 16
    new_batch_threshold: int = 8
    # 1 minute is the product default, but the host forces 2 s in the Development environment,
    # which is what a local host is; an explicit host.json value still wins.
    max_polling_interval: float = 2.0
    visibility_timeout: float = 0.0
    max_dequeue_count: int = 5
    message_encoding: str = "base64"

    @classmethod
    def from_json(cls, section: Mapping[str, Any]) -> QueueOptions:
        batch_size = int(section.get("batchSize", 16))
        if not 1 <= batch_size <= 32:
            raise HostConfigError(f"extensions.queues.batchSize must be 1..32, got {batch_size}")
        # Unset threshold = (batchSize / 2) * processor count, as QueuesOptions computes it.
        threshold = int(section.get("newBatchThreshold", (batch_size // 2) * (os.cpu_count() or 1)))
        if threshold < 0:
            raise HostConfigError("extensions.queues.newBatchThreshold must be >= 0")
        polling = parse_timespan(section["maxPollingInterval"]) if "maxPollingInterval" in section else 2.0
        if polling < 0.1:
            raise HostConfigError("extensions.queues.maxPollingInterval must be at least 00:00:00.1")
        max_dequeue = int(section.get("maxDequeueCount", 5))
        if max_dequeue < 1:
            raise HostConfigError("extensions.queues.maxDequeueCount must be >= 1")
        encoding = str(section.get("messageEncoding", "base64")).lower()
        if encoding not in {"base64", "none"}:
            raise HostConfigError(f"extensions.queues.messageEncoding must be base64 or none, got {encoding}")
        return cls(
            batch_size=batch_size,
            new_batch_threshold=threshold,
            max_polling_interval=polling,
            visibility_timeout=parse_timespan(str(section.get("visibilityTimeout", "00:00:00"))),
            max_dequeue_count=max_dequeue,
            message_encoding=encoding,
        )


# Default for Flex Consumption / Premium / Dedicated (§4.1); Consumption's 5 min is not our target.
DEFAULT_FUNCTION_TIMEOUT = 30 * 60.0


@dataclass(frozen=True)
class HostJson:
    route_prefix: str = "api"
    function_timeout: float | None = DEFAULT_FUNCTION_TIMEOUT  # None = unbounded ("-1")
    queues: QueueOptions = QueueOptions()
    host_id: str | None = None
    functions: tuple[str, ...] | None = None  # host.json "functions": run only these

    @classmethod
    def load(cls, app_dir: Path) -> HostJson:
        path = app_dir / "host.json"
        if not path.exists():
            raise HostConfigError(f"{path} not found")
        text = path.read_text(encoding="utf-8").strip()
        data: dict[str, Any] = json.loads(text) if text else {"version": "2.0"}
        if data.get("version") != "2.0":
            raise HostConfigError('host.json must contain "version": "2.0"')
        extensions = data.get("extensions", {})
        timeout_text = data.get("functionTimeout")
        timeout: float | None = DEFAULT_FUNCTION_TIMEOUT
        if timeout_text is not None:
            timeout = None if str(timeout_text).strip() == "-1" else parse_timespan(str(timeout_text))
            if timeout is not None and timeout < 1:
                raise HostConfigError("functionTimeout must be at least 00:00:01")
        functions = data.get("functions")
        return cls(
            route_prefix=str(extensions.get("http", {}).get("routePrefix", "api")).strip("/"),
            function_timeout=timeout,
            queues=QueueOptions.from_json(extensions.get("queues", {})),
            host_id=data.get("id"),
            functions=tuple(functions) if functions is not None else None,
        )


def read_settings_file(path: Path) -> dict[str, str]:
    """The `Values` of a local.settings.json; every value must be a string, as Core Tools requires."""
    data = json.loads(path.read_text(encoding="utf-8"))
    values = data.get("Values", {})
    bad = sorted(key for key, value in values.items() if not isinstance(value, str))
    if bad:
        raise HostConfigError(f"{path}: Values must be strings: {', '.join(bad)}")
    connection_strings = data.get("ConnectionStrings", {})
    # Connection strings are looked up as ConnectionStrings:<name> by the host (§1.6).
    return {**values, **{f"ConnectionStrings:{name}": str(v) for name, v in connection_strings.items()}}


def default_settings_file(app_dir: Path) -> Path | None:
    """local.settings.json, falling back to the committed local.settings.sample.json."""
    for name in ("local.settings.json", "local.settings.sample.json"):
        if (app_dir / name).exists():
            return app_dir / name
    return None


_SETTING_REFERENCE = re.compile(r"%([^%]+)%")


def resolve_setting_references(value: str, settings: Mapping[str, str]) -> str:
    """Replace %NAME% with the app setting, as the host's INameResolver does for binding properties."""

    def lookup(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in settings:
            raise HostConfigError(f"'%{name}%' does not resolve to a value (no app setting {name})")
        return settings[name]

    return _SETTING_REFERENCE.sub(lookup, value)


def is_true(value: str | None) -> bool:
    return (value or "").strip().lower() in {"true", "1"}
