"""Timer trigger: NCRONTAB schedules, the storage schedule monitor and the timer listener (§2).

- Schedules are NCRONTAB in UTC: six fields with seconds first, or five without seconds.
- With useMonitor (default, turned off for schedules firing more than once a minute) the status blob
  `azure-webjobs-hosts/timers/<hostId>/Host.Functions.<name>/status` = {Last, Next, LastUpdated}
  decides past-due at startup: past due when now > recorded Next; past due beats runOnStartup.
- No overlap: the next occurrence is computed from the time the previous invocation completed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from azure.core.exceptions import AzureError, ResourceExistsError, ResourceNotFoundError
from azure.functions.timer import TimerRequest
from azure.storage.blob.aio import ContainerClient
from croniter import CroniterError, croniter

from dev.host.config import HostConfigError
from dev.host.invoker import Invoke, cancel_and_wait
from dev.host.loader import FunctionSpec
from dev.host.logs import log_event

HOSTS_CONTAINER = "azure-webjobs-hosts"
# .NET's default(DateTime), which the host writes as Last before the first run.
_NEVER = datetime(1, 1, 1, tzinfo=UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def timer_status_blob_name(host_id: str, function_name: str) -> str:
    # The host keys timers by the function's full name, which is "Host.Functions.<name>" for script
    # (non-.NET) functions, as its lock and receipt blobs show.
    return f"timers/{host_id}/Host.Functions.{function_name}/status"


class TimerSchedule:
    def __init__(self, expression: str) -> None:
        self.expression = expression.strip()
        fields = self.expression.split()
        # CronSchedule.HasSeconds: any field count other than 5 includes seconds.
        self._seconds_first = len(fields) != 5
        try:
            self.next_after(utcnow())
        except (CroniterError, ValueError) as exc:
            raise HostConfigError(f"invalid timer schedule {expression!r}: {exc}") from exc

    def next_after(self, moment: datetime) -> datetime:
        # NCrontab requires both day-of-month and day-of-week to match (day_or=False), unlike cron.
        cron = croniter(self.expression, moment, second_at_beginning=self._seconds_first, day_or=False)
        result: datetime = cron.get_next(datetime)
        return result

    def fires_more_than_once_a_minute(self) -> bool:
        first = self.next_after(utcnow())
        return self.next_after(first) - first < timedelta(minutes=1)


_FRACTION = re.compile(r"(\.\d{6})\d+")


def _parse_time(text: str | None) -> datetime:
    if not text:
        return _NEVER
    # .NET writes 7 fractional digits; Python parses at most 6.
    parsed = datetime.fromisoformat(_FRACTION.sub(r"\1", text))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@dataclass(frozen=True)
class ScheduleStatus:
    last: datetime
    next: datetime
    last_updated: datetime

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ScheduleStatus:
        return cls(
            _parse_time(data.get("Last")), _parse_time(data.get("Next")), _parse_time(data.get("LastUpdated"))
        )

    def to_json(self) -> dict[str, str]:
        return {
            "Last": self.last.isoformat(),
            "Next": self.next.isoformat(),
            "LastUpdated": self.last_updated.isoformat(),
        }


class ScheduleMonitor:
    """StorageScheduleMonitor: one status blob per timer in the host's container."""

    def __init__(self, container: ContainerClient, host_id: str) -> None:
        self._container = container
        self._host_id = host_id

    async def get_status(self, function_name: str) -> ScheduleStatus | None:
        blob = self._container.get_blob_client(timer_status_blob_name(self._host_id, function_name))
        try:
            data = await (await blob.download_blob()).readall()
        except ResourceNotFoundError:
            return None
        return ScheduleStatus.from_json(json.loads(data))

    async def update_status(self, function_name: str, status: ScheduleStatus) -> None:
        with contextlib.suppress(ResourceExistsError):
            await self._container.create_container()
        blob = self._container.get_blob_client(timer_status_blob_name(self._host_id, function_name))
        await blob.upload_blob(json.dumps(status.to_json()), overwrite=True)

    async def check_past_due(
        self, function_name: str, now: datetime, schedule: TimerSchedule, status: ScheduleStatus | None
    ) -> tuple[bool, ScheduleStatus]:
        """ScheduleMonitor.CheckPastDueAsync: (past due?, the status to hand the function)."""
        if status is None:  # never ran: record the next occurrence, nothing is past due
            status = ScheduleStatus(_NEVER, schedule.next_after(now), now)
            await self.update_status(function_name, status)
            return False, status
        reference = status.last if status.last != _NEVER else status.last_updated
        if schedule.next_after(reference) != status.next:
            # The schedule changed since the status was written: recompute, never past due.
            status = ScheduleStatus(status.last, schedule.next_after(now), now)
            await self.update_status(function_name, status)
            return False, status
        return now > status.next, status


def timer_request(past_due: bool, status: ScheduleStatus | None) -> TimerRequest:
    return TimerRequest(
        past_due=past_due,
        schedule_status=status.to_json() if status else None,
        schedule={"AdjustForDST": True},
    )


class TimerListener:
    def __init__(self, spec: FunctionSpec, invoke: Invoke, monitor: ScheduleMonitor | None) -> None:
        self._spec = spec
        self._invoke = invoke
        self.schedule = TimerSchedule(str(spec.trigger["schedule"]))
        self._run_on_startup = bool(spec.trigger.get("runOnStartup", False))
        use_monitor = bool(spec.trigger.get("useMonitor", True))
        if use_monitor and self.schedule.fires_more_than_once_a_minute():
            log_event(
                logging.INFO,
                "timer",
                "UseMonitor changed to false based on schedule frequency.",
                function=spec.name,
            )
            use_monitor = False
        self._monitor = monitor if use_monitor else None
        self._status: ScheduleStatus | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def status(self) -> ScheduleStatus | None:
        return self._status

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"timer-listener:{self._spec.name}")

    async def stop(self) -> None:
        if self._task is not None:
            await cancel_and_wait(self._task)

    async def _run(self) -> None:
        past_due = False
        if self._monitor is not None:
            past_due = await self._check_past_due()
        if past_due or self._run_on_startup:
            await self._fire(past_due)
        slot = utcnow()
        while True:
            # From the later of now and the last slot: the loop clock may wake us a hair early, and the
            # same slot must not fire twice.
            slot = self.schedule.next_after(max(utcnow(), slot))
            await asyncio.sleep(max(0.0, (slot - utcnow()).total_seconds()))
            await self._fire(past_due=False)

    async def _check_past_due(self) -> bool:
        assert self._monitor is not None
        try:
            status = await self._monitor.get_status(self._spec.name)
            past_due, self._status = await self._monitor.check_past_due(
                self._spec.name, utcnow(), self.schedule, status
            )
        except AzureError as exc:
            log_event(
                logging.WARNING,
                "timer_status_failed",
                function=self._spec.name,
                error_type=type(exc).__name__,
            )
            return False
        return past_due

    async def _fire(self, past_due: bool) -> None:
        fired_at = utcnow()
        await self._invoke(self._spec, timer_request(past_due, self._status), "timer")
        if self._monitor is not None:
            completed = utcnow()
            self._status = ScheduleStatus(fired_at, self.schedule.next_after(completed), completed)
            try:
                await self._monitor.update_status(self._spec.name, self._status)
            except AzureError as exc:  # the schedule goes on; the next start may see it as past due
                log_event(
                    logging.WARNING,
                    "timer_status_failed",
                    function=self._spec.name,
                    error_type=type(exc).__name__,
                )
