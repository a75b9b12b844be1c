"""Timers: `daily_refresh` fans out one `refresh-tenant` message per connected organisation."""

from __future__ import annotations

from datetime import UTC, datetime

import azure.functions as func

from shared.collection import daily_refresh_messages
from shared.services import get_services

bp = func.Blueprint()


@bp.timer_trigger(arg_name="timer", schedule="%INSIGHT365_REFRESH_SCHEDULE%")
@bp.queue_output(arg_name="refreshes", queue_name="refresh-tenant", connection="AzureWebJobsStorage")
def daily_refresh(timer: func.TimerRequest, refreshes: func.Out[list[str]]) -> None:
    services = get_services()
    today = datetime.now(UTC).date()
    messages = daily_refresh_messages(services.storage, services.tokens, today)
    refreshes.set([message.model_dump_json() for message in messages])
