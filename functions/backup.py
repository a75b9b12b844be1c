"""The `table_backup` timer: the daily backup of every table into the immutable `table-backups` container.

The schedule fires a few times each night (`INSIGHT365_BACKUP_SCHEDULE`, by default hourly from 01:00 to
05:00 UTC, before the refresh fan-out's peak); the backup's id is the UTC date, so the first firing takes
the day's backup and a later one finishes it if it was interrupted, or finds it complete and does
nothing. Then deletion journal entries older than every kept backup are forgotten.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import azure.functions as func

from shared.backup import BACKUP_RETENTION, run_backup
from shared.lifecycle.journal import DeletionJournal, retention_cutoff
from shared.services import get_services

bp = func.Blueprint()
log = logging.getLogger(__name__)


@bp.timer_trigger(arg_name="timer", schedule="%INSIGHT365_BACKUP_SCHEDULE%")
def table_backup(timer: func.TimerRequest) -> None:
    services = get_services()
    now = services.clock()
    backup_id = f"{now.astimezone(UTC):%Y-%m-%d}"
    manifest = run_backup(services.storage, backup_id, clock=lambda: datetime.now(UTC))
    pruned = DeletionJournal(services).prune(retention_cutoff(now, BACKUP_RETENTION))
    log.info(
        "table backup",
        extra={"backup_id": manifest.backup_id, "rows": manifest.rows, "journal_pruned": pruned},
    )
