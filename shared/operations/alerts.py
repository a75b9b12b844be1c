"""Alerts: what the detection rules found, deduplicated, with evidence and the organisation affected.

`alerts`: partition `alert`, row `<key digest>|<newest-first time raised>` → the alert document. The key
is (rule, organisation, subject); a finding whose key has an alert seen within `DEDUPLICATE_WITHIN`
updates that alert (more events, a later `last_seen`) instead of raising another. Updates are
conditional on the row's ETag, so two instances never lose each other's evidence. The platform's
retention sweep removes an alert last seen before the audit log's longest period: the rows it points to
are gone by then.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from shared.operations.detections import Finding
from shared.operations.severity import Severity, key_digest, newest_first
from shared.ownership import OPERATIONS_RECORD, Rows, TableOwner
from shared.services import Services
from shared.storage import (
    PLATFORM,
    ConcurrencyError,
    PageTokenSigner,
    SharedTable,
    StorageClients,
    TableName,
    TenantContext,
)
from shared.storage.documents import document_of, read_document

if TYPE_CHECKING:
    from shared.organisations import RetentionSettings

ALERT_PARTITION = "alert"
DEDUPLICATE_WITHIN = timedelta(hours=24)
MAX_EVIDENCE_IDS = 200  # the count goes on; the ids kept are the latest ones
_WRITE_ATTEMPTS = 5


class Alert(BaseModel):
    alert_id: str
    key: str
    rule_id: str
    title: str
    severity: Severity
    rationale: str
    org_id: str | None  # None: nobody's organisation could be told (e.g. refused tokens from an address)
    subject: str  # whose behaviour: `member=<id>`, `address=<ip>`, a member target or the organisation
    event_count: int
    measure: int  # what the rule counts (events, or distinct values such as addresses)
    event_ids: list[str] = Field(default_factory=list)  # audit rows (`<yyyymm>|<row key>`), latest last
    first_seen: datetime
    last_seen: datetime
    raised_at: datetime
    updated_at: datetime
    incident_id: str | None = None


def alert_key(finding: Finding) -> str:
    return f"{finding.rule.rule_id}|{finding.org_id or '-'}|{finding.subject}"


class AlertStore:
    def __init__(self, clients: StorageClients, tokens: PageTokenSigner) -> None:
        self._partition = SharedTable(clients, TableName.ALERTS, tokens=tokens).partition(ALERT_PARTITION)

    def record(self, finding: Finding, now: datetime) -> tuple[Alert, bool]:
        """Raise an alert for `finding`, or add its evidence to the key's recent one. Returns the alert and
        whether anything new was recorded (a finding already recorded in full changes nothing)."""
        key = alert_key(finding)
        digest = key_digest(key)
        for _ in range(_WRITE_ATTEMPTS):
            latest = next(iter(self._partition.query(prefix=f"{digest}|")), None)
            if latest is not None:
                current = read_document(Alert, latest.properties)
                if current.last_seen + DEDUPLICATE_WITHIN >= finding.first_seen:
                    merged = _merged(current, finding, now)
                    if merged is None:
                        return current, False
                    try:
                        self._partition.update(latest.row_key, document_of(merged), etag=latest.etag)
                    except ConcurrencyError:
                        continue
                    return merged, True
            alert = _new_alert(key, finding, now)
            self._partition.insert(f"{digest}|{newest_first(now)}", document_of(alert))
            return alert, True
        raise ConcurrencyError("could not record the alert: too much contention")

    def link_incident(self, alert: Alert, incident_id: str) -> Alert:
        """Name the incident the alert opened or joined."""
        digest = key_digest(alert.key)
        for entity in self._partition.query(prefix=f"{digest}|"):
            stored = read_document(Alert, entity.properties)
            if stored.alert_id == alert.alert_id:
                linked = stored.model_copy(update={"incident_id": incident_id})
                self._partition.update(entity.row_key, document_of(linked), etag=entity.etag)
                return linked
        return alert

    def last_seen_before(self, cutoff: datetime) -> Rows:
        """The alerts last seen before `cutoff` (the retention sweep removes them)."""
        old = [
            e.row_key
            for e in self._partition.query()
            if read_document(Alert, e.properties).last_seen < cutoff
        ]
        return Rows(self._partition, old)

    def list_recent(self, *, limit: int = 100) -> list[Alert]:
        alerts = [read_document(Alert, entity.properties) for entity in self._partition.query()]
        return sorted(alerts, key=lambda alert: alert.last_seen, reverse=True)[:limit]


def _new_alert(key: str, finding: Finding, now: datetime) -> Alert:
    rule = finding.rule
    return Alert(
        alert_id=uuid.uuid4().hex,
        key=key,
        rule_id=rule.rule_id,
        title=rule.title,
        severity=rule.severity,
        rationale=rule.rationale,
        org_id=finding.org_id,
        subject=finding.subject,
        event_count=len(finding.events),
        measure=finding.measure,
        event_ids=[event.event_id for event in finding.events][-MAX_EVIDENCE_IDS:],
        first_seen=finding.first_seen,
        last_seen=finding.last_seen,
        raised_at=now,
        updated_at=now,
    )


def _merged(alert: Alert, finding: Finding, now: datetime) -> Alert | None:
    """`alert` with the finding's events it does not hold yet; None when it holds them all (a rerun)."""
    known = set(alert.event_ids)
    complete = len(alert.event_ids) < MAX_EVIDENCE_IDS  # else only events after the last are surely new
    fresh = [
        event
        for event in finding.events
        if event.event_id not in known and (complete or event.entry.at > alert.last_seen)
    ]
    if not fresh:
        return None
    return alert.model_copy(
        update={
            "event_count": alert.event_count + len(fresh),
            "measure": max(alert.measure, finding.measure),
            "event_ids": [*alert.event_ids, *(event.event_id for event in fresh)][-MAX_EVIDENCE_IDS:],
            "first_seen": min(alert.first_seen, finding.first_seen),
            "last_seen": max(alert.last_seen, finding.last_seen),
            "updated_at": now,
        }
    )


def _expired_alerts(
    services: Services, tenant: TenantContext, now: datetime, periods: RetentionSettings
) -> Iterator[Rows]:
    """With the platform's sweep (alerts are nobody's partition): those last seen before its audit period."""
    if tenant != PLATFORM:
        return
    yield AlertStore(services.storage, services.page_signer).last_seen_before(
        now - timedelta(days=periods.audit_days)
    )


ALERTS_OWNER = TableOwner(
    table=TableName.ALERTS,
    module=__name__,
    organisation_rows=None,
    expired_rows=_expired_alerts,
    keeps=OPERATIONS_RECORD,
)
