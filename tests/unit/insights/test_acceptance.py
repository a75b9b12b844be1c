"""Risk acceptance applied by the engine: checks and findings show `accepted`, the score never moves,
expiry is by date, and the directory audit event's wire shape converts to the record changes read."""

from __future__ import annotations

from datetime import UTC, date, datetime

from dev.graph_sim.audit_log import directory_audit
from shared.collection.graph_records import CONVERTERS
from shared.insights.acceptance import InForce, latest_expiry, new_acceptance
from shared.insights.engine import ComputedRun
from shared.snapshot.records import DirectoryAudit
from tests.unit.insights.conftest import NOW, Build


def _accept(check_id: str, subject_id: str | None = None, expires_on: date = date(2026, 6, 1)) -> InForce:
    acceptance = new_acceptance(
        check_id=check_id,
        subject_id=subject_id,
        reason="r",
        owner="o",
        expires_on=expires_on,
        member_id="m",
        now=NOW,
    )
    return InForce([acceptance], NOW.date())


def _findings(run: ComputedRun) -> list[dict[str, object]]:
    return list(run.lists["assurance-findings"]())


def test_latest_expiry_is_twelve_calendar_months() -> None:
    assert latest_expiry(date(2026, 3, 2)) == date(2027, 3, 2)
    assert latest_expiry(date(2024, 2, 29)) == date(2025, 2, 28)
    assert latest_expiry(date(2026, 1, 31)) == date(2027, 1, 31)


def test_an_accepted_finding_and_an_accepted_check(build: Build) -> None:
    case = build(1, 1500)
    plain = case.compute()
    rows = _findings(plain)
    assert rows and all(r["status"] == "open" and r["acceptance_id"] is None for r in rows)
    first = rows[0]
    check_id, subject = str(first["check_id"]), str(first["subject_id"])
    offenders = sum(r["check_id"] == check_id for r in rows)
    assert offenders > 1
    one = case.compute_with(_accept(check_id, subject))
    check = next(c for c in one.assurance.checks if c.id == check_id)
    verdict = next(c for c in plain.assurance.checks if c.id == check_id).status
    assert check.status == verdict and check.accepted_findings == 1 and check.verdict is None
    accepted_rows = [r for r in _findings(one) if r["status"] == "accepted"]
    assert [(r["check_id"], r["subject_id"]) for r in accepted_rows] == [(check_id, subject)]
    whole = case.compute_with(_accept(check_id))
    check = next(c for c in whole.assurance.checks if c.id == check_id)
    assert check.status == "accepted" and check.verdict == verdict and check.accepted_findings == offenders
    assert all(r["status"] == "accepted" for r in _findings(whole) if r["check_id"] == check_id)
    for run in (one, whole):  # accepting never changes the score
        assert run.assurance.posture.score == plain.assurance.posture.score
    assert whole.assurance.posture.counts["accepted"] == 1
    counts = plain.assurance.posture.counts
    trend = whole.trend[next(iter(f for f in whole.trend if f.value == "assurance"))]
    assert trend["checks_accepted"] == 1
    failing = "checks_failing" if verdict == "fail" else "checks_warning"
    assert trend[failing] == counts[verdict] - 1
    assert trend["findings_accepted"] == offenders


def test_an_expired_or_passing_acceptance_changes_nothing(build: Build) -> None:
    case = build(1, 1500)
    plain = case.compute()
    check_id = str(_findings(plain)[0]["check_id"])
    lapsed = case.compute_with(_accept(check_id, expires_on=date(2026, 3, 1)))  # NOW is 2026-03-02
    assert lapsed.assurance.checks == plain.assurance.checks
    passing = next(c.id for c in plain.assurance.checks if c.status == "pass")
    assert case.compute_with(_accept(passing)).assurance.checks == plain.assurance.checks


def test_the_simulators_audit_event_converts_to_the_record_changes_read() -> None:
    at = datetime(2026, 3, 1, 22, 15, tzinfo=UTC)
    event = directory_audit(
        event_id="e1",
        at=at,
        category="RoleManagement",
        activity="Add member to role",
        operation="Assign",
        actor_upn="it.admin@northwind.example",
        actor_id="0b6e9a58-0000-4000-8000-000000000001",
        targets=[{"id": "AB6E9A58-0000-4000-8000-000000000002", "displayName": None, "type": "User",
                  "userPrincipalName": "new.admin@northwind.example", "modifiedProperties": []}],
    )  # fmt: skip
    row = CONVERTERS["directory_audits"](event)
    assert row["initiated_by"] == "it.admin@northwind.example"
    assert row["target_ids"] == ["ab6e9a58-0000-4000-8000-000000000002"]
    assert row["target_names"] == ["new.admin@northwind.example"]
    assert DirectoryAudit.model_validate(row).activity_date_time == at
