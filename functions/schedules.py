"""Timers: `daily_refresh` plans the day and sends one `refresh-tenant` message per connected
organisation, each visible when its share of Microsoft Graph's shared quotas is about to come up."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import azure.functions as func

from shared.collection import PlannedRefresh, daily_refresh_plan
from shared.services import get_services
from shared.storage import QueueName, QueueSender

bp = func.Blueprint()
# Sends in flight at once: each is one round trip, and the storage clients pool 10 connections.
SEND_CONCURRENCY = 8


@bp.timer_trigger(arg_name="timer", schedule="%INSIGHT365_REFRESH_SCHEDULE%")
def daily_refresh(timer: func.TimerRequest) -> None:
    services = get_services()
    plan = daily_refresh_plan(
        services.storage, services.page_signer, datetime.now(UTC), scale=services.settings.graph_quota_scale
    )
    sender = QueueSender(services.storage, QueueName.REFRESH_TENANT)

    def send(planned: PlannedRefresh) -> None:
        sender.send(planned.message, visibility_timeout=planned.delay_seconds or None)

    with ThreadPoolExecutor(SEND_CONCURRENCY, thread_name_prefix="fanout") as pool:
        list(pool.map(send, plan.refreshes))
