"""Incidents: opened by medium-or-worse alerts and high capacity breaches, worked by operators.

`incidents`: one partition per incident — row `incident` (the document) and rows `t|<position>` (its
timeline, in the order written), written together in one transaction conditional on the document's ETag, so
every change has exactly one timeline entry. Partition `open`, row `<key digest>` → the open incident of
a key: an alert or breach with the same key joins it instead of opening another; closing frees the key.

Priority puts customer impact first: at the same severity an incident that touches an organisation
outranks one that does not. Each priority has an acknowledgement deadline; an incident nobody has
acknowledged by then is escalated (level + 1, a notification, a new deadline) until someone does. The
personal-data-breach flag starts the 72-hour clock for notifying the ICO (UK GDPR Art. 33), records
which organisations were told and when, and reminds on call when 24 hours are left and when it passes.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Literal

from pydantic import BaseModel, Field

from shared.operations.notifications import Notification, NotificationError, Notifier
from shared.operations.severity import Severity, key_digest, worst
from shared.ownership import OPERATIONS_RECORD, TableOwner
from shared.storage import (
    AlreadyExistsError,
    ConcurrencyError,
    NotFoundError,
    PageTokenSigner,
    SharedTable,
    StorageClients,
    TableName,
)
from shared.storage.documents import document_of, read_document
from shared.storage.tables import scan_row

IncidentState = Literal["new", "triaged", "contained", "resolved", "closed"]
Priority = Literal["P1", "P2", "P3", "P4"]
TimelineKind = Literal[
    "opened",
    "alert_joined",
    "acknowledged",
    "state_changed",
    "note",
    "escalated",
    "breach_flagged",
    "organisation_told",
    "ico_notified",
    "breach_reminder",
    "notification_failed",
]
NEXT_STATE: dict[IncidentState, IncidentState] = {
    "new": "triaged",
    "triaged": "contained",
    "contained": "resolved",
    "resolved": "closed",
}
ACKNOWLEDGE_WITHIN: dict[Priority, timedelta] = {
    "P1": timedelta(minutes=15),
    "P2": timedelta(hours=1),
    "P3": timedelta(hours=4),
    "P4": timedelta(hours=24),
}
ICO_DEADLINE = timedelta(hours=72)
ICO_REMINDER_BEFORE = timedelta(hours=24)
SYSTEM = "system"
DOCUMENT_ROW = "incident"
OPEN_PARTITION = "open"
_WRITE_ATTEMPTS = 5


class IncidentError(Exception):
    """An incident change that is not allowed (the message says why, in words)."""


class InvalidTransitionError(IncidentError):
    pass


class BreachRecord(BaseModel):
    aware_at: datetime  # when we became aware: the 72 hours run from here
    ico_deadline: datetime
    ico_notified_at: datetime | None = None
    organisations_told: dict[str, datetime] = Field(default_factory=dict)  # org id → when
    last_reminder: Literal["due_soon", "overdue"] | None = None


class Incident(BaseModel):
    incident_id: str
    key: str
    title: str
    severity: Severity
    priority: Priority
    customer_impacting: bool
    org_ids: list[str] = Field(default_factory=list)
    owner: str | None = None
    state: IncidentState = "new"
    opened_at: datetime
    updated_at: datetime
    acknowledge_by: datetime
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    escalation_level: int = 0
    sources: list[str] = Field(default_factory=list)  # alert ids and breach ids, in order
    breach: BreachRecord | None = None
    timeline_length: int = 0  # entries so far; the next one's row key, so the timeline keeps write order
    etag: str = Field(default="", exclude=True)

    @property
    def open(self) -> bool:
        return self.state != "closed"


class TimelineEntry(BaseModel):
    at: datetime
    actor: str  # `system`, or the operator
    kind: TimelineKind
    detail: str


class Opening(BaseModel):
    """What opens (or joins) an incident: an alert or a capacity breach."""

    key: str
    title: str
    severity: Severity
    org_ids: list[str]
    source_id: str
    detail: str


def priority_for(severity: Severity, customer_impacting: bool) -> Priority:
    """Critical is always P1; otherwise customer impact lifts an incident one priority above its severity."""
    if severity == "critical":
        return "P1"
    rank = {"high": 1, "medium": 2, "low": 3}[severity] - (1 if customer_impacting else 0)
    return ("P1", "P2", "P3", "P4")[rank]


class IncidentBook:
    def __init__(self, clients: StorageClients, tokens: PageTokenSigner, notifier: Notifier) -> None:
        self._clients = clients
        self._table = SharedTable(clients, TableName.INCIDENTS, tokens=tokens)
        self._notifier = notifier

    # Reading

    def get(self, incident_id: str) -> Incident:
        """The incident, or `NotFoundError`."""
        entity = self._table.partition(incident_id).get(DOCUMENT_ROW)
        return read_document(Incident, entity.properties, etag=entity.etag)

    def find(self, incident_id: str) -> Incident | None:
        try:
            return self.get(incident_id)
        except NotFoundError:
            return None

    def list_all(self) -> list[Incident]:
        """Every incident, open ones first, then by priority and newest."""
        incidents = [
            read_document(Incident, row)
            for _, row in scan_row(self._clients, TableName.INCIDENTS, DOCUMENT_ROW, ["document"])
        ]
        incidents.sort(key=lambda incident: incident.opened_at, reverse=True)
        incidents.sort(key=lambda incident: (not incident.open, incident.priority))
        return incidents

    def timeline(self, incident_id: str) -> list[TimelineEntry]:
        return [
            TimelineEntry.model_validate_json(entity.properties["entry"])
            for entity in self._table.partition(incident_id).query(prefix="t|")
        ]

    # Opening

    def open_or_join(self, opening: Opening, now: datetime) -> tuple[Incident, bool]:
        """Open an incident for `opening` or join its key's open one; returns it and whether it is new."""
        index = self._table.partition(OPEN_PARTITION)
        digest = key_digest(opening.key)
        incident_id = uuid.uuid4().hex
        try:
            index.insert(digest, {"incident_id": incident_id, "key": opening.key})
        except AlreadyExistsError:
            incident_id = str(index.get(digest).properties["incident_id"])
        existing = self.find(incident_id)
        if existing is None:
            return self._open(incident_id, opening, now), True
        return self._join(existing, opening, now), False

    def _open(self, incident_id: str, opening: Opening, now: datetime) -> Incident:
        customer_impacting = bool(opening.org_ids)
        priority = priority_for(opening.severity, customer_impacting)
        incident = Incident(
            incident_id=incident_id,
            key=opening.key,
            title=opening.title,
            severity=opening.severity,
            priority=priority,
            customer_impacting=customer_impacting,
            org_ids=sorted(set(opening.org_ids)),
            opened_at=now,
            updated_at=now,
            acknowledge_by=now + ACKNOWLEDGE_WITHIN[priority],
            sources=[opening.source_id],
        )
        entry = TimelineEntry(at=now, actor=SYSTEM, kind="opened", detail=opening.detail)
        try:
            saved = self._write(incident, entry, etag=None)
        except AlreadyExistsError:  # another instance opened it a moment ago: join that one
            return self._join(self.get(incident_id), opening, now)
        self._notify(saved, f"opened: {opening.detail}", now)
        return saved

    def _join(self, incident: Incident, opening: Opening, now: datetime) -> Incident:
        if opening.source_id in incident.sources:
            return incident

        def join(current: Incident) -> Incident:
            severity = worst(current.severity, opening.severity)
            org_ids = sorted(set(current.org_ids) | set(opening.org_ids))
            priority = priority_for(severity, bool(org_ids))
            deadline = current.acknowledge_by
            if current.acknowledged_at is None:
                deadline = min(deadline, current.opened_at + ACKNOWLEDGE_WITHIN[priority])
            return current.model_copy(
                update={
                    "severity": severity,
                    "priority": priority,
                    "customer_impacting": bool(org_ids),
                    "org_ids": org_ids,
                    "acknowledge_by": deadline,
                    "sources": [*current.sources, opening.source_id],
                }
            )

        return self.change(
            incident.incident_id,
            join,
            TimelineEntry(at=now, actor=SYSTEM, kind="alert_joined", detail=opening.detail),
        )

    # Changing

    def change(
        self,
        incident_id: str,
        apply: Callable[[Incident], Incident],
        entry: TimelineEntry,
        *,
        etag: str | None = None,
    ) -> Incident:
        """Apply `apply` and record one timeline entry, atomically. With `etag` (an operator's If-Match)
        only if the incident is unchanged since they read it; without, retried on contention."""
        for _ in range(_WRITE_ATTEMPTS):
            current = self.get(incident_id)
            if etag is not None and current.etag != etag:
                raise ConcurrencyError("the incident changed since it was read")
            changed = apply(current).model_copy(update={"updated_at": entry.at})
            try:
                return self._write(changed, entry, etag=current.etag)
            except ConcurrencyError:
                if etag is not None:
                    raise
        raise ConcurrencyError("could not change the incident: too much contention")

    def acknowledge(
        self, incident_id: str, actor: str, now: datetime, *, etag: str | None = None
    ) -> Incident:
        def acknowledge(current: Incident) -> Incident:
            if current.acknowledged_at is not None:
                raise IncidentError("The incident is acknowledged already.")
            if not current.open:
                raise IncidentError("The incident is closed.")
            # Whoever acknowledges owns the incident unless someone already does.
            owner = current.owner or actor
            return current.model_copy(
                update={"acknowledged_at": now, "acknowledged_by": actor, "owner": owner}
            )

        return self.change(
            incident_id,
            acknowledge,
            TimelineEntry(at=now, actor=actor, kind="acknowledged", detail="acknowledged"),
            etag=etag,
        )

    def transition(
        self, incident_id: str, to: IncidentState, actor: str, now: datetime, *, etag: str | None = None
    ) -> Incident:
        """Move to the next state (new → triaged → contained → resolved → closed), never skip or go back.
        Triaging acknowledges an incident nobody acknowledged yet."""

        def move(current: Incident) -> Incident:
            if NEXT_STATE.get(current.state) != to:
                raise InvalidTransitionError(
                    f"An incident in state {current.state} cannot become {to}"
                    + (f"; next is {NEXT_STATE[current.state]}." if current.state in NEXT_STATE else ".")
                )
            update: dict[str, object] = {"state": to}
            if current.acknowledged_at is None:
                update |= {"acknowledged_at": now, "acknowledged_by": actor}
            return current.model_copy(update=update)

        before = self.get(incident_id).state
        changed = self.change(
            incident_id,
            move,
            TimelineEntry(at=now, actor=actor, kind="state_changed", detail=f"{before} → {to}"),
            etag=etag,
        )
        if to == "closed":
            self._free_key(changed)
        return changed

    def add_note(self, incident_id: str, actor: str, text: str, now: datetime) -> Incident:
        return self.change(
            incident_id, _unchanged, TimelineEntry(at=now, actor=actor, kind="note", detail=text)
        )

    def flag_breach(
        self, incident_id: str, actor: str, now: datetime, *, etag: str | None = None
    ) -> Incident:
        """Mark the incident a personal-data breach: the ICO must be told within 72 hours of now."""

        def flag(current: Incident) -> Incident:
            if current.breach is not None:
                raise IncidentError("The incident is flagged as a personal-data breach already.")
            return current.model_copy(
                update={"breach": BreachRecord(aware_at=now, ico_deadline=now + ICO_DEADLINE)}
            )

        deadline = (now + ICO_DEADLINE).astimezone(UTC).isoformat(timespec="minutes")
        detail = f"personal-data breach; tell the ICO by {deadline}"
        return self.change(
            incident_id,
            flag,
            TimelineEntry(at=now, actor=actor, kind="breach_flagged", detail=detail),
            etag=etag,
        )

    def record_organisation_told(self, incident_id: str, org_id: str, actor: str, now: datetime) -> Incident:
        def told(current: Incident) -> Incident:
            breach = _breach_of(current)
            told_at = {**breach.organisations_told, org_id: now}
            return current.model_copy(
                update={"breach": breach.model_copy(update={"organisations_told": told_at})}
            )

        return self.change(
            incident_id,
            told,
            TimelineEntry(
                at=now, actor=actor, kind="organisation_told", detail=f"organisation {org_id} told"
            ),
        )

    def record_ico_notified(self, incident_id: str, actor: str, now: datetime) -> Incident:
        def notified(current: Incident) -> Incident:
            breach = _breach_of(current)
            if breach.ico_notified_at is not None:
                raise IncidentError("The ICO was notified already.")
            return current.model_copy(update={"breach": breach.model_copy(update={"ico_notified_at": now})})

        return self.change(
            incident_id,
            notified,
            TimelineEntry(at=now, actor=actor, kind="ico_notified", detail="ICO notified"),
        )

    # The clock

    def escalate_overdue(self, now: datetime) -> list[Incident]:
        """Escalate every open incident past its acknowledgement deadline, and remind about every breach
        whose ICO deadline is near or past; returns the incidents changed."""
        changed: list[Incident] = []
        for incident in self.list_all():
            if not incident.open:
                continue
            if incident.acknowledged_at is None and now > incident.acknowledge_by:
                changed.append(self._escalate(incident, now))
            reminder = _breach_reminder(incident, now)
            if reminder is not None:
                changed.append(self._remind(incident, reminder, now))
        return changed

    def _escalate(self, incident: Incident, now: datetime) -> Incident:
        def escalate(current: Incident) -> Incident:
            return current.model_copy(
                update={
                    "escalation_level": current.escalation_level + 1,
                    "acknowledge_by": now + ACKNOWLEDGE_WITHIN[current.priority],
                }
            )

        detail = f"not acknowledged by {incident.acknowledge_by.isoformat(timespec='minutes')}"
        escalated = self.change(
            incident.incident_id,
            escalate,
            TimelineEntry(at=now, actor=SYSTEM, kind="escalated", detail=detail),
        )
        self._notify(escalated, f"escalated to level {escalated.escalation_level}: {detail}", now)
        return escalated

    def _remind(self, incident: Incident, stage: Literal["due_soon", "overdue"], now: datetime) -> Incident:
        def remind(current: Incident) -> Incident:
            breach = _breach_of(current)
            return current.model_copy(update={"breach": breach.model_copy(update={"last_reminder": stage})})

        deadline = _breach_of(incident).ico_deadline.isoformat(timespec="minutes")
        detail = (
            f"the ICO must be told by {deadline}"
            if stage == "due_soon"
            else f"the ICO deadline {deadline} has passed: tell the ICO now, with the reasons for the delay"
        )
        reminded = self.change(
            incident.incident_id,
            remind,
            TimelineEntry(at=now, actor=SYSTEM, kind="breach_reminder", detail=detail),
        )
        self._notify(reminded, f"personal-data breach: {detail}", now)
        return reminded

    # Storage and notification

    def _write(self, incident: Incident, entry: TimelineEntry, *, etag: str | None) -> Incident:
        position = incident.timeline_length
        written = incident.model_copy(update={"timeline_length": position + 1})
        rows: list[tuple[str, dict[str, object], str | None]] = [
            (DOCUMENT_ROW, {**document_of(written), "state": written.state}, etag or None),
            (f"t|{position:08d}", {"entry": entry.model_dump_json()}, None),
        ]
        etags = self._table.partition(incident.incident_id).write_together(rows)
        return written.model_copy(update={"etag": etags[0]})

    def _free_key(self, incident: Incident) -> None:
        index = self._table.partition(OPEN_PARTITION)
        digest = key_digest(incident.key)
        try:
            entity = index.get(digest)
        except NotFoundError:
            return
        if entity.properties.get("incident_id") == incident.incident_id:
            index.delete(digest, etag=entity.etag)

    def _notify(self, incident: Incident, what: str, now: datetime) -> None:
        notification = Notification(
            subject=f"[Insight365 {incident.priority} {incident.severity}] "
            f"Incident {incident.incident_id[:8]}: {incident.title}",
            body="\n".join(
                [
                    f"Incident {incident.incident_id} {what}",
                    f"Title: {incident.title}",
                    f"Severity: {incident.severity}; priority: {incident.priority}"
                    + ("; customer-impacting" if incident.customer_impacting else ""),
                    f"Organisations: {', '.join(incident.org_ids) or 'none'}",
                    f"State: {incident.state}; escalation level: {incident.escalation_level}",
                    f"Acknowledge by: {incident.acknowledge_by.isoformat(timespec='minutes')}",
                ]
            ),
            severity=incident.severity,
            incident_id=incident.incident_id,
        )
        try:
            self._notifier.send(notification)
        except NotificationError as error:
            # Recorded where operators look; the next escalation notifies again.
            failed = TimelineEntry(at=now, actor=SYSTEM, kind="notification_failed", detail=str(error))
            self.change(incident.incident_id, _unchanged, failed)


def _unchanged(incident: Incident) -> Incident:
    return incident


def _breach_of(incident: Incident) -> BreachRecord:
    if incident.breach is None:
        raise IncidentError("The incident is not flagged as a personal-data breach.")
    return incident.breach


def _breach_reminder(incident: Incident, now: datetime) -> Literal["due_soon", "overdue"] | None:
    breach = incident.breach
    if breach is None or breach.ico_notified_at is not None:
        return None
    if now > breach.ico_deadline:
        return None if breach.last_reminder == "overdue" else "overdue"
    if now >= breach.ico_deadline - ICO_REMINDER_BEFORE:
        return None if breach.last_reminder is not None else "due_soon"
    return None


INCIDENTS_OWNER = TableOwner(
    table=TableName.INCIDENTS,
    module=__name__,
    organisation_rows=None,
    keeps=OPERATIONS_RECORD,
)
