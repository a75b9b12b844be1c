"""Timers of the operations plane: detections (then escalations) every 5 minutes, monitoring every 15.

The schedules are fixed in code rather than settings: security detection is not something a
configuration slip should be able to switch off.
"""

from __future__ import annotations

import azure.functions as func

from shared.operations.jobs import run_detections, run_monitoring
from shared.operations.notifications import build_notifier
from shared.services import get_services

bp = func.Blueprint()
DETECTIONS_SCHEDULE = "0 */5 * * * *"
MONITORING_SCHEDULE = "0 */15 * * * *"


@bp.timer_trigger(arg_name="timer", schedule=DETECTIONS_SCHEDULE)
def operations_detections(timer: func.TimerRequest) -> None:
    services = get_services()
    run_detections(services, build_notifier(services.settings), services.clock())


@bp.timer_trigger(arg_name="timer", schedule=MONITORING_SCHEDULE)
def operations_monitoring(timer: func.TimerRequest) -> None:
    services = get_services()
    run_monitoring(services, build_notifier(services.settings), services.clock())
