"""The two scheduled operations jobs: detections (then escalations) and monitoring.

Both work on what happened since their last run (`JobCheckpoint`), claim the run first so that only one
instance does it, and hand medium-or-worse alerts and high breaches to the incident book.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from shared.operations.alerts import Alert, AlertStore
from shared.operations.capacity import Breach, BreachLog, limits_from, measure
from shared.operations.checkpoints import JobCheckpoint
from shared.operations.detections import LONGEST_WINDOW, evaluate_all
from shared.operations.events import read_events
from shared.operations.incidents import Incident, IncidentBook, Opening
from shared.operations.notifications import Notifier
from shared.operations.severity import at_least, opens_incident
from shared.services import Services

DETECTIONS_JOB = "detections"
MONITORING_JOB = "monitoring"
# A run's lease: longer than a run takes, so a live run is never joined by a second instance.
LEASE = timedelta(minutes=10)
# How far the first run of a job looks back (later runs start where the previous one ended).
FIRST_LOOKBACK = timedelta(hours=1)


@dataclass
class JobReport:
    claimed: bool
    since: datetime | None = None
    alerts: list[Alert] = field(default_factory=list)
    breaches: list[Breach] = field(default_factory=list)
    incidents: list[Incident] = field(default_factory=list)


def _start(claim_since: datetime | None, now: datetime) -> datetime:
    # A checkpoint ahead of the clock (a clock set back) would read nothing ever again: start afresh.
    if claim_since is None or claim_since > now:
        return now - FIRST_LOOKBACK
    return claim_since


def run_detections(services: Services, notifier: Notifier, now: datetime) -> JobReport:
    """Evaluate every rule over the events since the last run, record alerts, open or join incidents
    for medium-or-worse ones, then escalate what is overdue."""
    checkpoint = JobCheckpoint(services.storage, services.page_signer, DETECTIONS_JOB, lease=LEASE)
    claim = checkpoint.claim(now)
    if claim is None:
        return JobReport(claimed=False)
    since = _start(claim.since, now)
    # Events up to a window before `since` complete windows that new events end.
    events = list(read_events(services.storage, services.page_signer, since - LONGEST_WINDOW, now))
    alerts = AlertStore(services.storage, services.page_signer)
    book = IncidentBook(services.storage, services.page_signer, notifier)
    report = JobReport(claimed=True, since=since)
    for finding in evaluate_all(events, since):
        alert, changed = alerts.record(finding, now)
        if not changed:
            continue
        if opens_incident(alert.severity):
            incident, _ = book.open_or_join(_alert_opening(alert), now)
            if alert.incident_id != incident.incident_id:
                alert = alerts.link_incident(alert, incident.incident_id)
            report.incidents.append(incident)
        report.alerts.append(alert)
    report.incidents += book.escalate_overdue(now)
    checkpoint.complete(claim, now)
    return report


def run_monitoring(services: Services, notifier: Notifier, now: datetime) -> JobReport:
    """Measure, record every breach, and open or join an incident for each high one."""
    checkpoint = JobCheckpoint(services.storage, services.page_signer, MONITORING_JOB, lease=LEASE)
    claim = checkpoint.claim(now)
    if claim is None:
        return JobReport(claimed=False)
    since = _start(claim.since, now)
    limits = limits_from(services.settings)
    log = BreachLog(services.storage, services.page_signer)
    book = IncidentBook(services.storage, services.page_signer, notifier)
    report = JobReport(claimed=True, since=since)
    for measurement in measure(services.storage, services.page_signer, limits, since, now):
        if not measurement.breached:
            continue
        breach = log.record(measurement, now)
        if at_least(breach.severity, "high"):
            incident, _ = book.open_or_join(_breach_opening(breach), now)
            breach = log.link_incident(breach, incident.incident_id)
            report.incidents.append(incident)
        report.breaches.append(breach)
    checkpoint.complete(claim, now)
    return report


def _alert_opening(alert: Alert) -> Opening:
    return Opening(
        key=f"alert|{alert.key}",
        title=alert.title,
        severity=alert.severity,
        org_ids=[alert.org_id] if alert.org_id else [],
        source_id=f"alert:{alert.alert_id}",
        detail=f"alert {alert.alert_id} ({alert.rule_id}): {alert.measure} for {alert.subject}",
    )


def _breach_opening(breach: Breach) -> Opening:
    return Opening(
        key=f"capacity|{breach.limit_id}|{breach.subject}",
        title=f"{breach.title}: {breach.subject}",
        severity=breach.severity,
        org_ids=[breach.org_id] if breach.org_id else [],
        source_id=f"breach:{breach.breach_id}",
        detail=f"breach {breach.breach_id}: {breach.value:g} {breach.unit}, limit {breach.threshold:g}",
    )
