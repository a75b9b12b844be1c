"""The `retention` job: remove one organisation's data that is past its retention period.

Periods (days, counted back from the date of `services.clock`) come from the organisation's
`RetentionSettings`, which validation keeps within the maxima: raw snapshots 30, insight runs 400
(plus superseded runs of the same day at once, as `shared.insights.store` finds them), audit 730.
Expired or revoked sessions and expired invitations go too: every table's owner and every blob area's
owner (`shared.lifecycle.owners`) finds what of its table or folder is past its period. The platform's
own partition (operators' sessions, the platform audit log) gets a message of its own and the default
periods. Data exactly on a cutoff day is kept ("older than N days" removes days before today - N).
Everything is computed from what is stored, so running the job twice, or late, removes the same things:
it is idempotent.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from itertools import chain

from shared.insights.store import expired_insight_runs
from shared.lifecycle.owners import BLOB_AREAS, OWNERS
from shared.messages import Retention
from shared.organisations import OrganisationRepository, RetentionSettings
from shared.services import Services
from shared.storage import PLATFORM, OrgContainer, TableName, TenantContext

log = logging.getLogger(__name__)
_REPORTED_AS = {TableName.AUDIT: "audit_rows"}  # the other kinds are reported by their table's name


def sweep_messages(services: Services) -> list[Retention]:
    """One `retention` message per active organisation (offboarding ones are being deleted anyway), and
    one for the platform's own partition (operators' sessions and the platform audit log)."""
    today = services.clock().date()
    organisations = OrganisationRepository(services.storage, services.page_signer)
    active = [org.tenant for org in organisations.list_active()]
    return [Retention(org_id=tenant.org_id, requested_on=today) for tenant in (*active, PLATFORM)]


class _Retention:
    def __init__(self, services: Services, tenant: TenantContext, now: datetime) -> None:
        self.services = services
        self.tenant = tenant
        self.now = now
        self.container = OrgContainer(services.storage, tenant)

    def cutoff(self, days: int) -> date:
        return self.now.date() - timedelta(days=days)

    def blobs(self, periods: RetentionSettings) -> dict[str, int]:
        """What each blob area's owner finds past its period, deleted folder by folder; counted by area
        (`raw/` is reported as `raw_blobs`)."""
        removed: dict[str, int] = {}
        for area in BLOB_AREAS:
            if area.expired_prefixes is not None:
                found = area.expired_prefixes(self.services, self.tenant, self.now, periods)
                removed[f"{area.prefix.strip('/')}_blobs"] = sum(map(self.container.delete_prefix, found))
        return removed

    def insights(self, days: int) -> dict[str, int]:
        expired = expired_insight_runs(self.services, self.tenant, self.cutoff(days))
        removed = {
            "insight_rows": expired.rows.partition.delete_many(expired.rows.row_keys),
            "insight_blobs": sum(self.container.delete_prefix(prefix) for prefix in expired.blob_prefixes),
            "insight_pointers": expired.pointers.partition.delete_many(expired.pointers.row_keys),
        }
        runs = self.services.org(self.tenant).runs
        for run_id in expired.run_ids:  # last: a run's record outlives its rows if the job stops half-way
            runs.delete(run_id)
        return {**removed, "runs": len(expired.run_ids)}


def _expired(services: Services, tenant: TenantContext, periods: RetentionSettings) -> dict[str, int]:
    """What every table's owner finds past its period, deleted; counted by table (a table none of whose
    partitions the sweep looks at, such as the platform's alerts in an organisation's, is left out)."""
    now = services.clock()
    removed: dict[str, int] = {}
    for owner in OWNERS:
        if owner.expired_rows is not None:
            found = iter(owner.expired_rows(services, tenant, now, periods))  # a partition at a time
            first = next(found, None)
            if first is not None:
                kind = _REPORTED_AS.get(owner.table, owner.table.value)
                partitions = chain([first], found)
                removed[kind] = sum(rows.partition.delete_many(rows.row_keys) for rows in partitions)
    return removed


def run_retention(services: Services, message: Retention) -> dict[str, int]:
    """Apply the organisation's retention periods now; returns how many of each kind were removed."""
    if message.tenant == PLATFORM:  # the platform keeps its audit log as long as an organisation may
        removed = _expired(services, PLATFORM, RetentionSettings())
        log.info("platform retention applied", extra={"removed": removed})
        return removed
    organisation = OrganisationRepository(services.storage, services.page_signer).find(message.tenant)
    if organisation is None or organisation.status != "active":
        return {}  # gone, or being offboarded (the deletion job removes everything)
    periods = organisation.retention
    job = _Retention(services, message.tenant, services.clock())
    removed = {
        **job.blobs(periods),
        **job.insights(periods.insights_days),
        **_expired(services, message.tenant, periods),
    }
    log.info("retention applied", extra={"org_id": organisation.org_id, "removed": removed})
    return removed
