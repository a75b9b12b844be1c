"""`compute-insights` queue trigger: a run's raw snapshot → published insights (shared/insights/job.py)."""

from __future__ import annotations

import azure.functions as func

from shared.identity.clock import system_clock
from shared.insights.job import run_compute_job
from shared.messages import ComputeInsights, parse_message
from shared.services import get_services
from shared.storage import QueueName

bp = func.Blueprint()


@bp.queue_trigger(
    arg_name="message", queue_name=QueueName.COMPUTE_INSIGHTS.value, connection="AzureWebJobsStorage"
)
def compute_insights(message: func.QueueMessage) -> None:
    # An invalid body raises InvalidMessageError: the host retries, then moves it to the poison queue.
    parsed = parse_message(message.get_body(), ComputeInsights)
    services = get_services()
    run_compute_job(services.storage, services.page_signer, parsed, system_clock)
