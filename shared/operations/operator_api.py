"""Operators over HTTP: incidents (list, detail with timeline, acknowledge, state, notes, the breach
clock), alerts and platform health with its capacity limits. No customer data: incidents and alerts name
organisations and members by id only, and hold counts, times and audit row ids."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime

from pydantic import BaseModel, Field

from shared.http.etags import etag_headers, require_if_match
from shared.http.problems import ApiError, conflict
from shared.http.request import ApiRequest, RequestModel
from shared.http.response import ApiResponse
from shared.operations.alerts import Alert, AlertStore
from shared.operations.capacity import Breach, BreachLog, CapacityLimit, limits_from
from shared.operations.checkpoints import JobCheckpoint
from shared.operations.incidents import (
    Incident,
    IncidentBook,
    IncidentError,
    IncidentState,
    InvalidTransitionError,
    TimelineEntry,
)
from shared.operations.jobs import LEASE, MONITORING_JOB
from shared.operations.notifications import build_notifier
from shared.operations.severity import Severity
from shared.services import Services
from shared.storage import NotFoundError, validate_org_id


class IncidentList(BaseModel):
    items: list[Incident]


class IncidentDetail(Incident):
    timeline: list[TimelineEntry]


class StateBody(RequestModel):
    state: IncidentState


class NoteBody(RequestModel):
    text: str = Field(min_length=1, max_length=2000)


class OrganisationToldBody(RequestModel):
    org_id: str = Field(pattern=r"^[0-9a-f]{32}$")


class AlertList(BaseModel):
    items: list[Alert]


class LimitView(BaseModel):
    limit_id: str
    title: str
    unit: str
    severity: Severity
    threshold: float
    rationale: str

    @classmethod
    def of(cls, limit: CapacityLimit) -> LimitView:
        return cls(**{name: getattr(limit, name) for name in cls.model_fields})


class PlatformHealth(BaseModel):
    measured_until: datetime | None = Field(description="The end of the monitoring job's last run")
    limits: list[LimitView]
    breaches: list[Breach] = Field(description="The latest breaches, newest first")


def _book(services: Services) -> IncidentBook:
    return IncidentBook(services.storage, services.page_signer, build_notifier(services.settings))


def _actor(request: ApiRequest) -> str:
    return f"operator={request.operator.operator_id}"


@contextmanager
def _incident_rules() -> Iterator[None]:
    try:
        yield
    except NotFoundError:
        raise ApiError(404, "not-found", "No such incident") from None
    except InvalidTransitionError as error:
        raise conflict("invalid-transition", "Not the incident's next state", str(error)) from None
    except IncidentError as error:
        raise conflict("incident-conflict", "Not possible in the incident's state", str(error)) from None


def _incident_id(request: ApiRequest) -> str:
    incident_id = request.route_params.get("incident_id", "")
    request.audit.target = f"incident={incident_id}"
    return incident_id


def _detail(book: IncidentBook, incident: Incident) -> ApiResponse:
    detail = IncidentDetail(**incident.model_dump(), timeline=book.timeline(incident.incident_id))
    return ApiResponse(body=detail, headers=etag_headers(incident.etag))


def list_incidents(services: Services) -> IncidentList:
    return IncidentList(items=_book(services).list_all())


def show_incident(request: ApiRequest, services: Services) -> ApiResponse:
    book = _book(services)
    with _incident_rules():
        return _detail(book, book.get(_incident_id(request)))


def _conditional_change(
    request: ApiRequest,
    services: Services,
    change: Callable[[IncidentBook, str, str, datetime, str], Incident],
) -> ApiResponse:
    """Apply an operator's change to the version they read (If-Match), then answer the new detail."""
    book = _book(services)
    incident_id = _incident_id(request)
    with _incident_rules():
        current = book.get(incident_id)
        require_if_match(request, current.etag)
        changed = change(book, incident_id, _actor(request), services.clock(), current.etag)
        return _detail(book, changed)


def acknowledge(request: ApiRequest, services: Services) -> ApiResponse:
    return _conditional_change(
        request, services, lambda book, incident_id, actor, now, etag: book.acknowledge(
            incident_id, actor, now, etag=etag
        ),
    )  # fmt: skip


def change_state(request: ApiRequest, body: StateBody, services: Services) -> ApiResponse:
    return _conditional_change(
        request, services, lambda book, incident_id, actor, now, etag: book.transition(
            incident_id, body.state, actor, now, etag=etag
        ),
    )  # fmt: skip


def flag_breach(request: ApiRequest, services: Services) -> ApiResponse:
    return _conditional_change(
        request, services, lambda book, incident_id, actor, now, etag: book.flag_breach(
            incident_id, actor, now, etag=etag
        ),
    )  # fmt: skip


def add_note(request: ApiRequest, body: NoteBody, services: Services) -> ApiResponse:
    book = _book(services)
    with _incident_rules():
        return _detail(
            book, book.add_note(_incident_id(request), _actor(request), body.text, services.clock())
        )


def organisation_told(request: ApiRequest, body: OrganisationToldBody, services: Services) -> ApiResponse:
    book = _book(services)
    org_id = validate_org_id(body.org_id)
    with _incident_rules():
        changed = book.record_organisation_told(
            _incident_id(request), org_id, _actor(request), services.clock()
        )
        return _detail(book, changed)


def ico_notified(request: ApiRequest, services: Services) -> ApiResponse:
    book = _book(services)
    with _incident_rules():
        return _detail(
            book, book.record_ico_notified(_incident_id(request), _actor(request), services.clock())
        )


def list_alerts(services: Services) -> AlertList:
    return AlertList(items=AlertStore(services.storage, services.page_signer).list_recent())


def platform_health(services: Services) -> PlatformHealth:
    limits = limits_from(services.settings)
    checkpoint = JobCheckpoint(services.storage, services.page_signer, MONITORING_JOB, lease=LEASE)
    return PlatformHealth(
        measured_until=checkpoint.last_until(),
        limits=[LimitView.of(limit) for limit in limits.all()],
        breaches=BreachLog(services.storage, services.page_signer).list_recent(),
    )
