"""Incidents with a controlled clock: states, escalation, the 72-hour breach clock; and the operators'
routes over HTTP (deny by default, If-Match, the security officer's breach flag)."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest

from dev.smtp import RunningMailbox
from shared.operations.incidents import IncidentBook, InvalidTransitionError, Opening
from shared.operations.notifications import Notifier
from shared.services import Services
from tests.integration.api.client import FakeClock
from tests.integration.api.conftest import Org, People


def _opening(severity: str = "high", org_ids: list[str] | None = None) -> Opening:
    key = f"test|{secrets.token_hex(8)}"
    return Opening.model_validate(
        {
            "key": key,
            "title": "Test incident",
            "severity": severity,
            "org_ids": ["a" * 32] if org_ids is None else org_ids,
            "source_id": f"alert:{secrets.token_hex(8)}",
            "detail": "opened by a test",
        }
    )


@pytest.fixture
def book(services: Services, notifier: Notifier) -> IncidentBook:
    return IncidentBook(services.storage, services.page_signer, notifier)


def test_states_move_forward_one_step_at_a_time_and_every_change_is_on_the_timeline(
    book: IncidentBook, clock: FakeClock
) -> None:
    incident, opened = book.open_or_join(_opening(), clock())
    assert opened and incident.state == "new"
    with pytest.raises(InvalidTransitionError):
        book.transition(incident.incident_id, "contained", "operator=x", clock())  # skips triaged
    for state in ("triaged", "contained", "resolved", "closed"):
        book.transition(incident.incident_id, state, "operator=x", clock())  # type: ignore[arg-type]
    with pytest.raises(InvalidTransitionError):
        book.transition(incident.incident_id, "new", "operator=x", clock())  # never back
    book.add_note(incident.incident_id, "operator=x", "root cause: a leaked key", clock())
    kinds = [entry.kind for entry in book.timeline(incident.incident_id)]
    assert kinds == ["opened", *["state_changed"] * 4, "note"]
    closed = book.get(incident.incident_id)
    assert (closed.acknowledged_by, closed.state) == ("operator=x", "closed")  # triage acknowledged it


def test_alerts_with_the_same_key_join_the_open_incident_and_a_closed_one_frees_the_key(
    book: IncidentBook, clock: FakeClock
) -> None:
    first = _opening("medium", org_ids=[])
    incident, _ = book.open_or_join(first, clock())
    assert incident.priority == "P3"
    worse = first.model_copy(update={"severity": "high", "org_ids": ["b" * 32], "source_id": "alert:2"})
    joined, opened = book.open_or_join(worse, clock())
    assert (opened, joined.incident_id, joined.severity, joined.priority) == (
        False,
        incident.incident_id,
        "high",
        "P1",
    )
    for state in ("triaged", "contained", "resolved", "closed"):
        book.transition(incident.incident_id, state, "operator=x", clock())  # type: ignore[arg-type]
    again, opened = book.open_or_join(first.model_copy(update={"source_id": "alert:3"}), clock())
    assert opened and again.incident_id != incident.incident_id


def test_an_unacknowledged_incident_escalates_when_its_deadline_passes(
    book: IncidentBook, clock: FakeClock, mailbox: RunningMailbox
) -> None:
    with clock.travel():
        incident, _ = book.open_or_join(_opening("high"), clock())  # customer-impacting high: P1, 15 min
        assert incident.acknowledge_by == incident.opened_at + timedelta(minutes=15)
        clock.advance(minutes=14)
        assert incident.incident_id not in {i.incident_id for i in book.escalate_overdue(clock())}
        clock.advance(minutes=2)
        book.escalate_overdue(clock())
        escalated = book.get(incident.incident_id)
        assert escalated.escalation_level == 1
        mailbox.wait_for(
            lambda message: (
                message["X-Insight365-Incident"] == incident.incident_id
                and "escalated to level 1" in message.get_content()
            )
        )
        clock.advance(minutes=16)
        book.escalate_overdue(clock())
        assert book.get(incident.incident_id).escalation_level == 2
        book.acknowledge(incident.incident_id, "operator=x", clock())
        clock.advance(hours=5)
        book.escalate_overdue(clock())
        assert book.get(incident.incident_id).escalation_level == 2  # acknowledged: no more


def test_the_breach_clock_reminds_at_24_hours_left_and_when_72_hours_pass(
    book: IncidentBook, clock: FakeClock, mailbox: RunningMailbox
) -> None:
    with clock.travel():
        incident, _ = book.open_or_join(_opening("high"), clock())
        book.acknowledge(incident.incident_id, "operator=x", clock())
        flagged = book.flag_breach(incident.incident_id, "officer=y", clock())
        assert flagged.breach is not None
        assert flagged.breach.ico_deadline == flagged.breach.aware_at + timedelta(hours=72)
        book.record_organisation_told(incident.incident_id, "a" * 32, "officer=y", clock())
        clock.advance(hours=47)
        book.escalate_overdue(clock())
        assert book.get(incident.incident_id).breach.last_reminder is None  # type: ignore[union-attr]
        clock.advance(hours=2)  # 23 hours left
        book.escalate_overdue(clock())
        book.escalate_overdue(clock())  # once per stage
        clock.advance(hours=24)  # past the deadline
        book.escalate_overdue(clock())
        kinds = [entry.kind for entry in book.timeline(incident.incident_id)]
        assert kinds.count("breach_reminder") == 2
        mailbox.wait_for(
            lambda message: (
                message["X-Insight365-Incident"] == incident.incident_id
                and "has passed" in message.get_content()
            )
        )
        book.record_ico_notified(incident.incident_id, "officer=y", clock())
        breach = book.get(incident.incident_id).breach
        assert breach is not None and breach.ico_notified_at == clock()
        assert list(breach.organisations_told) == ["a" * 32]


def test_operators_work_incidents_over_http_and_customers_cannot(
    book: IncidentBook, clock: FakeClock, people: People, org_a: Org
) -> None:
    incident, _ = book.open_or_join(_opening("high"), clock())
    url = f"/api/v1/platform/incidents/{incident.incident_id}"
    operator, officer = people.operator("operator"), people.operator("security_officer")

    listed = operator.call("GET", "/api/v1/platform/incidents")
    assert listed.status == 200 and incident.incident_id in {i["incident_id"] for i in listed.json()["items"]}
    detail = operator.call("GET", url)
    assert detail.status == 200 and detail.json()["timeline"][0]["kind"] == "opened"
    etag = detail.headers["ETag"]
    assert operator.call("POST", f"{url}/acknowledge").status == 428
    acknowledged = operator.call("POST", f"{url}/acknowledge", headers={"if-match": etag})
    assert acknowledged.status == 200 and acknowledged.json()["acknowledged_at"]
    assert operator.call("POST", f"{url}/state", body={"state": "resolved"},
                         headers={"if-match": acknowledged.headers["ETag"]}).status == 409  # fmt: skip
    assert (
        operator.call("POST", f"{url}/state", body={"state": "triaged"}, headers={"if-match": etag}).status
        == 412
    )
    noted = operator.call("POST", f"{url}/notes", body={"text": "looking"})
    assert noted.status == 200 and noted.json()["timeline"][-1]["detail"] == "looking"
    assert operator.call("POST", f"{url}/breach", headers={"if-match": noted.headers["ETag"]}).status == 403
    flagged = officer.call("POST", f"{url}/breach", headers={"if-match": noted.headers["ETag"]})
    assert flagged.status == 200 and flagged.json()["breach"]["ico_deadline"]
    for path in ("/api/v1/platform/incidents", url, "/api/v1/platform/alerts", "/api/v1/platform/health"):
        assert org_a.super_admin.call("GET", path).status == 403
    assert operator.call("GET", "/api/v1/platform/incidents/nope").status == 404
    health = operator.call("GET", "/api/v1/platform/health")
    assert health.status == 200
    assert {limit["limit_id"] for limit in health.json()["limits"]} >= {"data-freshness", "queue-length"}
