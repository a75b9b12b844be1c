"""The `retention` job: remove one organisation's data that is past its retention period.

Periods (days, counted back from the date of `services.clock`) come from the organisation's
`RetentionSettings`, which validation keeps within the maxima: raw snapshots 30, insight runs 400
(plus superseded runs of the same day at once, see `insight_runs.py`), audit 730. Expired or revoked
sessions and expired invitations go too. Data exactly on a cutoff day is kept ("older than N days"
removes days before today - N). Everything is computed from what is stored, so running the job twice,
or late, removes the same things: it is idempotent.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from shared.lifecycle.insight_runs import (
    RunKey,
    kept_runs,
    parse_insight_row_key,
    pointer_target,
    runs_to_remove,
)
from shared.lifecycle.scan import org_partitions
from shared.members import Invitation
from shared.messages import Retention
from shared.organisations import OrganisationRepository
from shared.runs import RunRepository
from shared.services import Services
from shared.storage import NotFoundError, OrgContainer, OrgTable, TableName, TenantContext

log = logging.getLogger(__name__)
_MONTH = re.compile(r"(\d{4})(\d{2})")


def sweep_messages(services: Services) -> list[Retention]:
    """One `retention` message per active organisation (offboarding ones are being deleted anyway)."""
    today = services.clock().date()
    organisations = OrganisationRepository(services.storage, services.tokens)
    return [Retention(org_id=org.org_id, requested_on=today) for org in organisations.list_active()]


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _moment(value: Any) -> datetime | None:
    """A stored time (an ISO 8601 string or an Edm.DateTime) as an aware datetime."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return None


class _Retention:
    def __init__(self, services: Services, tenant: TenantContext, now: datetime) -> None:
        self.services = services
        self.tenant = tenant
        self.now = now
        self.container = OrgContainer(services.storage, tenant)

    def cutoff(self, days: int) -> date:
        return self.now.date() - timedelta(days=days)

    def table(self, table: TableName) -> OrgTable:
        return OrgTable(self.services.storage, self.tenant, table, tokens=self.services.tokens)

    def blob_folders(self, root: str, depth: int) -> dict[tuple[str, ...], int]:
        """Blob counts under `root/`, by their first `depth` folder names below it."""
        folders: dict[tuple[str, ...], int] = defaultdict(int)
        try:
            for blob in self.container.list_blobs(root + "/"):
                parts = tuple(blob.name.split("/")[1 : 1 + depth])
                if len(parts) == depth:
                    folders[parts] += 1
        except NotFoundError:  # no container: nothing to remove
            return {}
        return folders

    def raw(self, days: int) -> int:
        cutoff = self.cutoff(days)
        old = [day for (day,) in self.blob_folders("raw", 1) if (as_of := _day(day)) and as_of < cutoff]
        return sum(self.container.delete_prefix(f"raw/{day}/") for day in old)

    def insights(self, days: int) -> dict[str, int]:
        cutoff = self.cutoff(days)
        table = self.table(TableName.INSIGHTS)
        rows: dict[RunKey, list[str]] = defaultdict(list)
        pointers: dict[str, RunKey | None] = {}  # pointer row key → the run it names
        stale_pointers: list[str] = []
        for entity in table.query():
            parsed = parse_insight_row_key(entity.row_key)
            if parsed is not None and parsed.run is not None:
                rows[parsed.run].append(entity.row_key)
            elif parsed is not None:
                target = pointers[entity.row_key] = pointer_target(entity)
                pointer_day = parsed.as_of or (target[0] if target else None)
                if pointer_day is not None and pointer_day < cutoff:
                    stale_pointers.append(entity.row_key)
        blobs = {
            (as_of, run_id): count
            for (day, run_id), count in self.blob_folders("insights", 2).items()
            if (as_of := _day(day)) is not None
        }
        runs = RunRepository(self.services.storage, self.tenant, self.services.tokens)
        records = list(runs.iter_all())
        kept = kept_runs((target for target in pointers.values() if target is not None), records)
        states = {record.run_id: record.state for record in records}
        removed = {"insight_rows": 0, "insight_blobs": 0, "insight_pointers": 0, "runs": 0}
        for as_of, run_id in sorted(runs_to_remove(set(rows) | set(blobs), kept, states, cutoff)):
            removed["insight_rows"] += table.delete_many(rows.get((as_of, run_id), []))
            if (as_of, run_id) in blobs:
                removed["insight_blobs"] += self.container.delete_prefix(f"insights/{as_of}/{run_id}/")
        removed["insight_pointers"] = table.delete_many(stale_pointers)
        for record in records:
            if record.as_of < cutoff:
                runs.delete(record.run_id)
                removed["runs"] += 1
        return removed

    def audit(self, days: int) -> int:
        cutoff = datetime.combine(self.cutoff(days), time(), UTC)
        boundary = (cutoff.year, cutoff.month)
        deleted = 0
        services = self.services
        for partition in org_partitions(services.storage, self.tenant, TableName.AUDIT, services.tokens):
            month = _MONTH.fullmatch(partition.partition_key.partition("|")[2])
            if month is None:
                continue
            key = (int(month[1]), int(month[2]))
            if key < boundary:
                deleted += partition.delete_partition()
            elif key == boundary:
                old = (
                    row.row_key
                    for row in partition.query(select=["RowKey", "at"])
                    if (at := _moment(row.properties.get("at"))) is not None and at < cutoff
                )
                deleted += partition.delete_many(old)
        return deleted

    def sessions(self) -> int:
        table = self.table(TableName.SESSIONS)
        fields = ["RowKey", "idle_expires_at", "absolute_expires_at", "revoked"]
        dead = [
            row.row_key
            for row in table.query(select=fields)
            if row.properties.get("revoked") is True
            or any(
                (moment := _moment(row.properties.get(name))) is not None and moment <= self.now
                for name in ("idle_expires_at", "absolute_expires_at")
            )
        ]
        return table.delete_many(dead)

    def invitations(self) -> int:
        table = self.table(TableName.INVITATIONS)
        expired = [
            row.row_key
            for row in table.query(select=["RowKey", "document"])
            if Invitation.model_validate_json(row.properties["document"]).expires_at <= self.now
        ]
        return table.delete_many(expired)


def run_retention(services: Services, message: Retention) -> dict[str, int]:
    """Apply the organisation's retention periods now; returns how many of each kind were removed."""
    organisation = OrganisationRepository(services.storage, services.tokens).find(message.tenant)
    if organisation is None or organisation.status != "active":
        return {}  # gone, or being offboarded (the deletion job removes everything)
    periods = organisation.retention
    job = _Retention(services, message.tenant, services.clock())
    removed = {
        "raw_blobs": job.raw(periods.raw_days),
        **job.insights(periods.insights_days),
        "audit_rows": job.audit(periods.audit_days),
        "sessions": job.sessions(),
        "invitations": job.invitations(),
    }
    log.info("retention applied", extra={"org_id": organisation.org_id, "removed": removed})
    return removed
