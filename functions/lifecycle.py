"""Data lifecycle triggers: the daily retention sweep, and the `retention` and `deletion` queue jobs.

Each parses its input into a model and calls `shared.lifecycle`. A message that fails validation raises,
so the host retries it and then moves it to `<queue>-poison`; it never crash-loops. A valid deletion
whose attempt fails is not left to the host: `handle_deletion` records the failure on its receipt and
enqueues a delayed retry itself.
"""

from __future__ import annotations

import logging

import azure.functions as func

from shared.lifecycle import handle_deletion, run_retention, sweep_messages
from shared.messages import Deletion, Retention, parse_message
from shared.services import get_services
from shared.storage import QueueName

bp = func.Blueprint()
log = logging.getLogger(__name__)
CONNECTION = "AzureWebJobsStorage"


@bp.timer_trigger(arg_name="timer", schedule="%INSIGHT365_RETENTION_SCHEDULE%")
@bp.queue_output(arg_name="jobs", queue_name=QueueName.RETENTION.value, connection=CONNECTION)
def retention_sweep(timer: func.TimerRequest, jobs: func.Out[list[str]]) -> None:
    messages = sweep_messages(get_services())
    jobs.set([message.model_dump_json() for message in messages])
    log.info("retention sweep", extra={"organisations": len(messages), "past_due": timer.past_due})


@bp.queue_trigger(arg_name="msg", queue_name=QueueName.RETENTION.value, connection=CONNECTION)
def retention_job(msg: func.QueueMessage) -> None:
    message = parse_message(msg.get_body(), Retention)
    run_retention(get_services(), message)


@bp.queue_trigger(arg_name="msg", queue_name=QueueName.DELETION.value, connection=CONNECTION)
def deletion_job(msg: func.QueueMessage) -> None:
    message = parse_message(msg.get_body(), Deletion)
    handle_deletion(get_services(), message)
