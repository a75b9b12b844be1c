"""What changed since the previous published run: checks whose status changed, new and resolved findings,
each with who changed it and when where the directory audit log says so.

The previous run is the newest run published for a day before this run's `as_of` (so recomputing a day
gives the same changes as computing it first did). A finding is one (check, subject) pair of the
`assurance-findings` report; it is new when the previous run did not list it, resolved when this run
no longer does. Attribution comes from the run's `directory_audits` dataset (`GET
/auditLogs/directoryAudits`, learn.microsoft.com/graph/api/directoryaudit-list), read for the window
since the previous run was collected: a change of a check that reads role assignments is explained by
`RoleManagement` events, one that reads Conditional Access policies by `Policy` events. A finding is
attributed to the newest such event whose `targetResources` name its subject; a check's status change to
the newest such event naming one of its changed findings, else to the newest event of its categories.
Nothing is guessed: without a matching event, `changed_by` and `changed_at` stay empty.

The rows are the run's `assurance-changes` report; the counts are `AssuranceSummary.changes`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shared.insights.checks import CHECKS_BY_ID
from shared.insights.engine import CHANGES_LIST, ComputedRun
from shared.insights.models import AssuranceSummary, ChangeSummary, Family, PublishedRun, StatusChange
from shared.insights.reports import REPORTS_BY_ID
from shared.insights.snapshot_reader import SnapshotReader
from shared.insights.source import BlobStore
from shared.insights.store import InsightStore
from shared.snapshot import Dataset
from shared.snapshot import records as r

FINDINGS_LIST = "assurance-findings"
# The directory audit categories that explain a change of a check reading each dataset
# (learn.microsoft.com/entra/identity/monitoring-health/reference-audit-activities).
AUDIT_CATEGORIES: dict[Dataset, str] = {
    Dataset.ROLE_ASSIGNMENTS: "RoleManagement",
    Dataset.CONDITIONAL_ACCESS_POLICIES: "Policy",
}
Row = dict[str, Any]
Finding = tuple[str, str]  # (check id, subject id)


@dataclass(frozen=True, slots=True)
class Window:
    """The time the audit log is read for: after the previous run was collected, up to this one."""

    since: datetime | None
    until: datetime

    def holds(self, at: datetime) -> bool:
        return (self.since is None or at > self.since) and at <= self.until


def categories(check_id: str) -> frozenset[str]:
    check = CHECKS_BY_ID.get(check_id)
    reads = check.info.requires if check is not None else ()
    return frozenset(AUDIT_CATEGORIES[d] for d in reads if d in AUDIT_CATEGORIES)


class Attribution:
    """The window's relevant audit events, newest first."""

    def __init__(self, events: Iterable[r.DirectoryAudit], window: Window) -> None:
        wanted = set(AUDIT_CATEGORIES.values())
        self.events = sorted(
            (e for e in events if e.category in wanted and window.holds(e.activity_date_time)),
            key=lambda e: e.activity_date_time,
            reverse=True,
        )

    def of_subject(self, check_id: str, subject_id: str) -> r.DirectoryAudit | None:
        kinds = categories(check_id)
        subject = subject_id.lower()
        return next((e for e in self.events if e.category in kinds and subject in e.target_ids), None)

    def of_check(self, check_id: str, subjects: Iterable[str]) -> r.DirectoryAudit | None:
        for subject in subjects:
            found = self.of_subject(check_id, subject)
            if found is not None:
                return found
        kinds = categories(check_id)
        return next((e for e in self.events if e.category in kinds), None)


def _who(event: r.DirectoryAudit | None) -> Row:
    if event is None:
        return {"changed_by": None, "changed_at": None, "activity": None}
    targets = ", ".join(name for name in event.target_names if name)
    return {
        "changed_by": event.initiated_by,
        "changed_at": event.activity_date_time.isoformat(),
        "activity": f"{event.activity_display_name}: {targets}" if targets else event.activity_display_name,
    }


def _keyed(rows: Iterable[Row], by: str) -> dict[Finding, Row]:
    return {(str(row["check_id"]), str(row.get(by) or "").lower()): row for row in rows}


def _ordered(row: Row) -> Row:
    return {name: row.get(name) for name in REPORTS_BY_ID[CHANGES_LIST].column_names()}


def diff(
    previous: tuple[PublishedRun, AssuranceSummary, Iterable[Row]] | None,
    current: AssuranceSummary,
    findings: Iterable[Row],
    events: Iterable[r.DirectoryAudit],
) -> tuple[ChangeSummary, list[Row]]:
    """The change summary and the `assurance-changes` rows of `current` against `previous`."""
    window = Window(previous[0].collected_at if previous else None, current.collected_at)
    if previous is None:
        return ChangeSummary(previous_run_id=None, previous_as_of=None, since=None, until=window.until), []
    run, before, before_rows = previous
    attribution = Attribution(events, window)
    then_rows = list(before_rows)
    # A run published before findings carried subject ids is compared by user principal name.
    by = "subject_id" if all(row.get("subject_id") for row in then_rows) else "user_principal_name"
    now, then = _keyed(findings, by), _keyed(then_rows, by)
    changed_findings = [("new", now[k]) for k in now if k not in then]
    changed_findings += [("resolved", then[k]) for k in then if k not in now]
    old_status = {c.id: c.status for c in before.checks}
    changed = [
        StatusChange(
            check_id=c.id, title=c.title, severity=c.severity, before=old_status.get(c.id), after=c.status
        )
        for c in current.checks
        if old_status.get(c.id) != c.status
    ]
    rows: list[Row] = []
    for change in changed:
        subjects = (
            str(row.get("subject_id")) for _, row in changed_findings if row["check_id"] == change.check_id
        )
        rows.append(
            {
                "kind": "check",
                "change": "status",
                "check_id": change.check_id,
                "severity": change.severity,
                "before": change.before,
                "after": change.after,
                **_who(attribution.of_check(change.check_id, subjects)),
            }
        )
    for kind, row in changed_findings:
        event = attribution.of_subject(str(row["check_id"]), str(row.get("subject_id") or ""))
        rows.append({**row, "kind": "finding", "change": kind, **_who(event)})
    summary = ChangeSummary(
        previous_run_id=run.run_id,
        previous_as_of=run.as_of,
        since=window.since,
        until=window.until,
        checks_changed=changed,
        new_findings=sum(kind == "new" for kind, _ in changed_findings),
        resolved_findings=sum(kind == "resolved" for kind, _ in changed_findings),
        attributed=sum(1 for row in rows if row["changed_by"] is not None),
    )
    return summary, [_ordered(row) for row in rows]


def _previous(
    store: InsightStore, run: ComputedRun
) -> tuple[PublishedRun, AssuranceSummary, Iterator[Row]] | None:
    published = store.published_before(run.as_of)
    if published is None:
        return None
    summary = store.summary_of(Family.ASSURANCE, published)
    if not isinstance(summary, AssuranceSummary):
        return None
    rows = store.iter_report(FINDINGS_LIST, published.as_of)
    return published, summary, rows if rows is not None else iter(())


def record_changes(run: ComputedRun, store: InsightStore, blobs: BlobStore) -> None:
    """Set the run's `changes` and its `assurance-changes` list, against the previous published run."""
    events = SnapshotReader(blobs, run.as_of, run.run_id).records(Dataset.DIRECTORY_AUDITS, r.DirectoryAudit)
    findings = run.lists.get(FINDINGS_LIST)
    summary, rows = diff(_previous(store, run), run.assurance, findings() if findings else (), events)
    run.assurance = run.assurance.model_copy(update={"changes": summary})
    run.lists[CHANGES_LIST] = lambda: iter(rows)
