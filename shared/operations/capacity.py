"""Monitoring and capacity: what our users feel and what runs out, measured against configured limits.

Each run measures every queue (messages waiting, age of the oldest visible one), every poison queue,
each connected organisation's data freshness (hours since its insights were last published; the
objective is every organisation under `INSIGHT365_FRESHNESS_OBJECTIVE_HOURS`), the blob storage each
organisation uses, and the API's error rate from the audit log since the last run. Every value over its
limit is recorded as a breach (`capacitybreaches`, newest first) with its value and time, and a high
breach opens (or joins) an incident. Slow invocations are not in our tables: Azure Monitor watches them
(`infra/modules/alerts.bicep`, whose thresholds are these same limits).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, fields
from datetime import datetime, timedelta

from pydantic import BaseModel

from shared.insights.store import iter_current_runs
from shared.integrations import iter_connections
from shared.operations.events import read_events
from shared.operations.severity import Severity, newest_first
from shared.ownership import OPERATIONS_RECORD, TableOwner
from shared.settings import Settings
from shared.storage import (
    NotFoundError,
    OrgContainer,
    PageTokenSigner,
    QueueName,
    SharedTable,
    StorageClients,
    TableName,
    TenantContext,
)
from shared.storage.documents import document_of, read_document
from shared.storage.errors import translate_errors
from shared.storage.queues import POISON_SUFFIX

BREACH_PARTITION = "breach"
GIB = 1024**3
MIN_REQUESTS_FOR_ERROR_RATE = 20
# `refresh-tenant` messages are planned up to a day ahead (visible when their organisation's share of
# Graph's quotas comes up), and a message keeps its insertion time: its age limit allows that day.
PLANNED_AHEAD = {QueueName.REFRESH_TENANT: timedelta(hours=24)}


@dataclass(frozen=True)
class CapacityLimit:
    limit_id: str
    title: str
    unit: str
    severity: Severity
    threshold: float  # a value above this is a breach
    rationale: str


@dataclass(frozen=True)
class Measurement:
    limit: CapacityLimit
    subject: str  # the queue, or `org=<id>`, or `api`
    value: float
    org_id: str | None = None

    @property
    def breached(self) -> bool:
        return self.value > self.limit.threshold


class Breach(BaseModel):
    breach_id: str
    limit_id: str
    title: str
    subject: str
    org_id: str | None
    value: float
    threshold: float
    unit: str
    severity: Severity
    at: datetime
    incident_id: str | None = None


@dataclass(frozen=True)
class Limits:
    queue_length: CapacityLimit
    queue_age: CapacityLimit
    poison_messages: CapacityLimit
    freshness: CapacityLimit
    storage: CapacityLimit
    api_error_rate: CapacityLimit

    def all(self) -> tuple[CapacityLimit, ...]:
        return tuple(getattr(self, item.name) for item in fields(self))


def limits_from(settings: Settings) -> Limits:
    return Limits(
        queue_length=CapacityLimit(
            "queue-length", "Messages waiting in a queue", "messages", "medium",
            settings.queue_length_limit, "Work is arriving faster than it is done.",
        ),
        queue_age=CapacityLimit(
            "queue-oldest-message-age", "Oldest message waiting in a queue", "minutes", "high",
            settings.queue_age_limit_minutes,
            "A message nobody takes means refreshes, erasures or retention stopped for customers.",
        ),
        poison_messages=CapacityLimit(
            "poison-messages", "Messages in a poison queue", "messages", "medium", 0,
            "Each one is an invocation that failed every retry: a refresh, an erasure or a sweep not done.",
        ),
        freshness=CapacityLimit(
            "data-freshness", "Hours since an organisation's insights were published", "hours", "high",
            settings.freshness_objective_hours,
            f"The objective: every organisation has insights less than {settings.freshness_objective_hours} "
            "hours old.",
        ),
        storage=CapacityLimit(
            "storage-per-organisation", "Blob storage used by one organisation", "GiB", "medium",
            settings.storage_limit_gib_per_organisation, "It grows with retention: plan before it costs.",
        ),
        api_error_rate=CapacityLimit(
            "api-error-rate", "API requests answered with 5xx", "percent", "high",
            settings.api_error_rate_limit_percent, "Customers see errors.",
        ),
    )  # fmt: skip


def _queue_state(clients: StorageClients, name: str) -> tuple[int, datetime | None]:
    """Messages waiting (approximate, delayed ones included) and when the oldest visible one was sent."""
    client = clients.queue.get_queue_client(name)
    try:
        with translate_errors(f"measure queue {name}"):
            length = client.get_queue_properties().approximate_message_count or 0
            peeked = client.peek_messages(max_messages=1)
    except NotFoundError:  # created by its first sender: nothing was ever sent
        return 0, None
    return length, peeked[0].inserted_on if peeked else None


def _queue_measurements(clients: StorageClients, limits: Limits, now: datetime) -> Iterator[Measurement]:
    for queue in QueueName:
        length, oldest = _queue_state(clients, queue.value)
        yield Measurement(limits.queue_length, queue.value, length)
        age = (now - oldest - PLANNED_AHEAD.get(queue, timedelta())) if oldest else timedelta()
        yield Measurement(limits.queue_age, queue.value, round(max(0.0, age.total_seconds() / 60), 1))
        poisoned, _ = _queue_state(clients, f"{queue.value}{POISON_SUFFIX}")
        yield Measurement(limits.poison_messages, f"{queue.value}{POISON_SUFFIX}", poisoned)


def _freshness_measurements(clients: StorageClients, limits: Limits, now: datetime) -> Iterator[Measurement]:
    """Hours since publication, for every connected organisation (since connection when none yet)."""
    published = {org_id: run.published_at for org_id, run in iter_current_runs(clients)}
    for org_id, integration in iter_connections(clients):
        since = published.get(org_id, integration.connected_at)
        hours = (now - since).total_seconds() / 3600
        yield Measurement(limits.freshness, f"org={org_id}", round(hours, 2), org_id)


def _storage_measurements(
    clients: StorageClients, limits: Limits, org_ids: list[str]
) -> Iterator[Measurement]:
    for org_id in org_ids:
        try:
            used = sum(blob.size for blob in OrgContainer(clients, TenantContext(org_id)).list_blobs())
        except NotFoundError:  # connected, but nothing collected yet: no container, nothing stored
            used = 0
        yield Measurement(limits.storage, f"org={org_id}", round(used / GIB, 3), org_id)


def _error_rate(
    clients: StorageClients, tokens: PageTokenSigner, limits: Limits, since: datetime, now: datetime
) -> Iterator[Measurement]:
    requests = errors = 0
    for event in read_events(clients, tokens, since, now):
        if event.entry.outcome == "security":
            continue
        requests += 1
        errors += event.entry.status >= 500
    if requests >= MIN_REQUESTS_FOR_ERROR_RATE:
        yield Measurement(limits.api_error_rate, "api", round(100 * errors / requests, 2))


def measure(
    clients: StorageClients, tokens: PageTokenSigner, limits: Limits, since: datetime, now: datetime
) -> list[Measurement]:
    freshness = list(_freshness_measurements(clients, limits, now))
    org_ids = [measurement.org_id for measurement in freshness if measurement.org_id]
    return [
        *_queue_measurements(clients, limits, now),
        *freshness,
        *_storage_measurements(clients, limits, org_ids),
        *_error_rate(clients, tokens, limits, since, now),
    ]


class BreachLog:
    def __init__(self, clients: StorageClients, tokens: PageTokenSigner) -> None:
        self._partition = SharedTable(clients, TableName.CAPACITY_BREACHES, tokens=tokens).partition(
            BREACH_PARTITION
        )

    def record(self, measurement: Measurement, now: datetime) -> Breach:
        limit = measurement.limit
        breach = Breach(
            breach_id=uuid.uuid4().hex,
            limit_id=limit.limit_id,
            title=limit.title,
            subject=measurement.subject,
            org_id=measurement.org_id,
            value=measurement.value,
            threshold=limit.threshold,
            unit=limit.unit,
            severity=limit.severity,
            at=now,
        )
        self._partition.insert(self._row_key(breach), document_of(breach))
        return breach

    def link_incident(self, breach: Breach, incident_id: str) -> Breach:
        linked = breach.model_copy(update={"incident_id": incident_id})
        self._partition.upsert(self._row_key(breach), document_of(linked))
        return linked

    def list_recent(self, *, limit: int = 100) -> list[Breach]:
        """The newest breaches first."""
        page = self._partition.list_page(page_size=limit)
        return [read_document(Breach, entity.properties) for entity in page.items]

    @staticmethod
    def _row_key(breach: Breach) -> str:
        return f"{newest_first(breach.at)}|{breach.breach_id}"


CAPACITY_BREACHES_OWNER = TableOwner(
    table=TableName.CAPACITY_BREACHES,
    module=__name__,
    organisation_rows=None,
    keeps=OPERATIONS_RECORD,
)
