"""`refresh-tenant`: collect one organisation's tenant within the time budget, then either re-enqueue
the run's next continuation or enqueue `compute-insights` (queue output bindings: written only when
the invocation succeeds)."""

from __future__ import annotations

import azure.functions as func

from shared.collection import Refresh, RefreshConfig
from shared.graph import GovernorConfig
from shared.messages import RefreshTenant, is_last_delivery, parse_message
from shared.services import get_services
from shared.storage import QueueName, QueueSender

bp = func.Blueprint()


@bp.queue_trigger(arg_name="msg", queue_name="refresh-tenant", connection="AzureWebJobsStorage")
@bp.queue_output(arg_name="continuation", queue_name="refresh-tenant", connection="AzureWebJobsStorage")
@bp.queue_output(arg_name="compute", queue_name="compute-insights", connection="AzureWebJobsStorage")
async def refresh_tenant(msg: func.QueueMessage, continuation: func.Out[str], compute: func.Out[str]) -> None:
    message = parse_message(msg.get_body(), RefreshTenant)
    services = get_services()
    settings = services.settings
    config = RefreshConfig(
        graph_base_url=settings.graph_base_url,
        graph_authority=settings.graph_authority,
        time_budget_seconds=settings.collection_time_budget_seconds,
        quota=GovernorConfig(scale=settings.graph_quota_scale),
    )
    refresh = Refresh(services.storage, services.page_signer, services.secrets, config)
    result = await refresh.handle(message, last_delivery=is_last_delivery(msg.dequeue_count))
    if result.continuation is not None:
        continuation.set(result.continuation.model_dump_json())
    if result.compute is not None:
        compute.set(result.compute.model_dump_json())
    if result.defer_seconds:
        # Another invocation holds this run; look again once its lease would have run out.
        QueueSender(services.storage, QueueName.REFRESH_TENANT).send(
            message, visibility_timeout=result.defer_seconds
        )
