"""Risk acceptance and the changes between runs, through the compute job on Azurite with a controlled clock:
a planted role grant and a Conditional Access policy switched off between two runs come out as exactly
those changes, with the actor the directory audit log names; an acceptance past its date expires on the
first run after it, with an audit row."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from shared.audit import AuditFilter, AuditLog
from shared.insights import Family, InsightStore
from shared.insights.acceptance import EXPIRED_ACTION, AcceptanceRepository, new_acceptance
from shared.insights.job import run_compute_job
from shared.insights.models import AssuranceSummary
from shared.messages import ComputeInsights
from shared.runs import RunRecord, RunRepository
from shared.snapshot import Dataset, snapshot_prefix
from shared.snapshot.roles import GLOBAL_ADMINISTRATOR
from shared.storage import OrgContainer, PageTokenSigner, StorageClients, TenantContext
from tests.unit.insights.snapshot_builder import SnapshotOptions, tenant, write_snapshot

DAY1, DAY2 = date(2026, 3, 1), date(2026, 3, 2)
ACTOR = "it.admin@northwind.example"
SPEC: dict[str, Any] = {"mfa_required_for_all": True, "legacy_auth_blocked": True}


def _collected(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 3, 0, tzinfo=UTC)


def _run(clients: StorageClients, org: TenantContext, tokens: PageTokenSigner, day: date) -> AssuranceSummary:
    run_id = f"daily-{day.isoformat()}"
    now = _collected(day) + timedelta(hours=1)
    RunRepository(clients, org, tokens).create_if_absent(
        RunRecord(
            run_id=run_id, as_of=day, trigger="schedule", state="computing", created_at=now, updated_at=now
        )
    )
    assert run_compute_job(
        clients, tokens, ComputeInsights(org_id=org.org_id, run_id=run_id, as_of=day), lambda: now
    )
    summary = InsightStore.for_tenant(clients, org, tokens, lambda: now).summary(Family.ASSURANCE, day)
    assert isinstance(summary, AssuranceSummary)
    return summary


def _rewrite(container: OrgContainer, prefix: str, dataset: Dataset, rows: list[dict[str, Any]]) -> None:
    container.write_jsonl_gz(prefix + dataset.blob_name, rows)
    manifest = container.read_json(prefix + "manifest.json")
    entries = [e for e in manifest["datasets"] if e["dataset"] != dataset.value]
    manifest["datasets"] = [*entries, {"dataset": dataset.value, "status": "complete", "rows": len(rows)}]
    container.write_json(prefix + "manifest.json", manifest)


def _plant_changes(container: OrgContainer, day: date) -> tuple[str, str]:
    """Grant Global Administrator to an enabled member without MFA and switch the MFA policy off, each with
    its audit event (and one unrelated event outside the window); returns (new admin id, policy name)."""
    prefix = snapshot_prefix(day, f"daily-{day.isoformat()}")
    users = {u["id"]: u for u in container.iter_jsonl_gz(prefix + Dataset.USERS.blob_name)}
    roles = list(container.iter_jsonl_gz(prefix + Dataset.ROLE_ASSIGNMENTS.blob_name))
    holders = {r["principal_id"] for r in roles}
    unregistered = (
        r["id"]
        for r in container.iter_jsonl_gz(prefix + Dataset.REGISTRATION_DETAILS.blob_name)
        if not r["is_mfa_registered"]
    )
    admin = next(
        uid
        for uid in unregistered
        if uid in users
        and users[uid]["account_enabled"]
        and uid not in holders
        and users[uid]["user_type"] == "Member"
    )
    roles.append(
        {
            "id": "planted-grant",
            "role_definition_id": GLOBAL_ADMINISTRATOR,
            "principal_id": admin,
            "principal_type": "user",
            "principal_display_name": users[admin]["display_name"],
            "principal_account_enabled": True,
            "principal_user_type": "Member",
            "principal_on_premises_sync_enabled": False,
        }
    )
    _rewrite(container, prefix, Dataset.ROLE_ASSIGNMENTS, roles)
    policies = list(container.iter_jsonl_gz(prefix + Dataset.CONDITIONAL_ACCESS_POLICIES.blob_name))
    mfa = next(
        p
        for p in policies
        if p["state"] == "enabled" and p["built_in_controls"] == ["mfa"] and p["include_users"] == ["All"]
    )
    mfa["state"] = "disabled"
    _rewrite(container, prefix, Dataset.CONDITIONAL_ACCESS_POLICIES, policies)
    at = _collected(day) - timedelta(hours=5)

    def event(
        event_id: str, when: datetime, category: str, activity: str, target: str, name: str
    ) -> dict[str, Any]:
        return {
            "id": event_id,
            "activity_date_time": when.isoformat(),
            "category": category,
            "activity_display_name": activity,
            "initiated_by": ACTOR,
            "target_ids": [target],
            "target_names": [name],
            "result": "success",
        }

    _rewrite(
        container,
        prefix,
        Dataset.DIRECTORY_AUDITS,
        [
            event(
                "e1", at, "RoleManagement", "Add member to role", admin, users[admin]["user_principal_name"]
            ),
            event(
                "e2",
                at + timedelta(minutes=5),
                "Policy",
                "Update conditional access policy",
                mfa["id"],
                mfa["display_name"],
            ),
            # Before the previous run was collected: outside the window, so never an explanation.
            event(
                "e0",
                _collected(day) - timedelta(days=2),
                "Policy",
                "Update conditional access policy",
                mfa["id"],
                "x",
            ),
        ],
    )
    return admin, mfa["display_name"]


def test_two_runs_show_exactly_the_planted_role_grant_and_policy_change_with_the_actor(
    clients: StorageClients, org: TenantContext, tokens: PageTokenSigner, container: OrgContainer
) -> None:
    for day in (DAY1, DAY2):
        t = tenant(5, 300, as_of=day, **SPEC)
        write_snapshot(
            container, t, f"daily-{day.isoformat()}", SnapshotOptions(collected_at=_collected(day))
        )
    first = _run(clients, org, tokens, DAY1)
    assert first.changes is not None and first.changes.previous_run_id is None  # nothing to compare with
    admin, policy = _plant_changes(container, DAY2)
    second = _run(clients, org, tokens, DAY2)
    changes = second.changes
    assert changes is not None and changes.previous_run_id == f"daily-{DAY1.isoformat()}"
    assert changes.since == _collected(DAY1) and changes.until == _collected(DAY2)
    changed = {c.check_id: (c.before, c.after) for c in changes.checks_changed}
    assert changed.pop("mfa-required-for-all") == ("pass", "fail")
    # Any other status change is one the new Global Administrator causes (count, ratio, MFA of admins).
    assert set(changed) <= {"global-admin-count", "global-admin-ratio", "admins-without-mfa"}
    assert changes.resolved_findings == 0
    store = InsightStore.for_tenant(clients, org, tokens, lambda: _collected(DAY2))
    rows = list(store.iter_report("assurance-changes", DAY2) or ())
    findings = [r for r in rows if r["kind"] == "finding"]
    new_admin = [r for r in findings if r["subject_id"] == admin]
    assert new_admin and all(r["change"] == "new" for r in new_admin)
    assert all(r["changed_by"] == ACTOR and r["activity"].startswith("Add member to role") for r in new_admin)
    mfa_row = next(r for r in rows if r["kind"] == "check" and r["check_id"] == "mfa-required-for-all")
    assert mfa_row["changed_by"] == ACTOR
    assert mfa_row["activity"] == f"Update conditional access policy: {policy}"
    # Findings of other accounts only where a check newly failed (all its offenders are new), never resolved.
    others = {r["check_id"] for r in findings if r["subject_id"] != admin}
    assert others <= {c for c, (before, _) in changed.items() if before == "pass"}
    assert changes.attributed == sum(r["changed_by"] is not None for r in rows)


def test_an_acceptance_past_its_date_expires_on_the_next_run_and_is_audited(
    clients: StorageClients, org: TenantContext, tokens: PageTokenSigner, container: OrgContainer
) -> None:
    t = tenant(5, 300, as_of=DAY2, **SPEC)
    write_snapshot(container, t, f"daily-{DAY2.isoformat()}", SnapshotOptions(collected_at=_collected(DAY2)))
    repository = AcceptanceRepository(clients, org, tokens)
    created = _collected(DAY1)
    lapsing = new_acceptance(
        check_id="stale-enabled-accounts", subject_id=None, reason="migration", owner="IT",
        expires_on=DAY1, member_id="m1", now=created,
    )  # fmt: skip
    holding = new_acceptance(
        check_id="stale-enabled-accounts", subject_id=None, reason="migration", owner="IT",
        expires_on=DAY2, member_id="m1", now=created,
    )  # fmt: skip
    repository.create(lapsing)
    summary = _run(clients, org, tokens, DAY2)
    check = next(c for c in summary.checks if c.id == "stale-enabled-accounts")
    assert check.status != "accepted"  # DAY1 is past: the first run after it no longer applies it
    stored = {a.acceptance_id: a for a, _ in repository.all()}
    assert stored[lapsing.acceptance_id].state_on(DAY2) == "expired"
    assert stored[lapsing.acceptance_id].expired_at is not None
    log = AuditLog(clients, org, tokens, clock=lambda: _collected(DAY2) + timedelta(hours=2))
    rows = [e for e in log.iter_entries(AuditFilter(action=EXPIRED_ACTION))]
    assert [(e.actor_member_id, e.target) for e in rows] == [
        ("system", f"acceptance_id={lapsing.acceptance_id},check_id=stale-enabled-accounts")
    ]
    # An acceptance holding through the run's day is applied: the check shows accepted, its verdict kept.
    repository.create(holding)
    recomputed = f"recompute-{DAY2.isoformat()}"
    write_snapshot(
        container, t, recomputed, SnapshotOptions(collected_at=_collected(DAY2) + timedelta(minutes=1))
    )
    now = _collected(DAY2) + timedelta(hours=3)
    RunRepository(clients, org, tokens).create_if_absent(
        RunRecord(
            run_id=recomputed,
            as_of=DAY2,
            trigger="schedule",
            state="computing",
            created_at=now,
            updated_at=now,
        )
    )
    run_compute_job(
        clients, tokens, ComputeInsights(org_id=org.org_id, run_id=recomputed, as_of=DAY2), lambda: now
    )
    again = InsightStore.for_tenant(clients, org, tokens, lambda: now).summary(Family.ASSURANCE, DAY2)
    assert isinstance(again, AssuranceSummary)
    accepted = next(c for c in again.checks if c.id == "stale-enabled-accounts")
    assert accepted.status == "accepted" and accepted.verdict == check.status
    assert [a.acceptance_id for a in accepted.accepted] == [holding.acceptance_id]
    assert again.posture.score == summary.posture.score  # accepting never changes the score
    assert again.posture.counts["accepted"] == 1
    assert len([e for e in log.iter_entries(AuditFilter(action=EXPIRED_ACTION))]) == 1  # expired once only
