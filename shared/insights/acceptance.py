"""Risk acceptance: an admin accepts a failing assurance check, or one finding of it, for a while.

An acceptance names the check, optionally one finding of it (its subject: the account's or role holder's
directory object id), a reason, an owner (who answers for the risk) and the last day it holds
(`expires_on`, at most `MAX_MONTHS` months ahead). While it is active, the check (or the finding) shows
as `accepted` in the published payloads, the `assurance-findings` report and the trend; the check keeps
its `verdict`.

- **Posture score.** Accepting never changes the score: an accepted check scores what its verdict
  scores. An accepted risk is still a risk, and a score that an admin could raise by clicking "accept"
  would measure paperwork, not the tenant. This is how Microsoft Secure Score treats "Risk accepted"
  (no points are earned; learn.microsoft.com/defender-xdr/microsoft-secure-score-improvement-actions).
  The posture counts show accepted checks apart (`accepted`), so failing-and-unaccepted is visible.
- **Expiry.** An acceptance holds through its `expires_on` day (UTC). The compute job reads the
  organisation's acceptances when it computes a run: those past their day are not applied, and are
  marked `expired` (an audit row by `system`), so they expire on the first run after their date.
- **Revoking** ends an acceptance at once; the next run shows the verdict again.
- At most one open (active) acceptance per check and subject.

`riskacceptances`: org_id / acceptance_id → document (the `Acceptance` JSON). Offboarding erases the
organisation's partition with it.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from typing import Literal, TypeVar

from pydantic import BaseModel, Field

from shared.audit import AuditEntry, AuditLog
from shared.insights.models import AcceptedRisk, CheckResult
from shared.ownership import TableOwner, org_partitions_of
from shared.storage import (
    ConcurrencyError,
    NotFoundError,
    OrgTable,
    PageTokenSigner,
    StorageClients,
    TableName,
    TenantContext,
)
from shared.storage.documents import document_of, read_document

MAX_MONTHS = 12
ACCEPTANCE_ID = re.compile(r"[0-9a-f]{32}")
SYSTEM = "system"  # the actor of an expiry in the audit log
EXPIRED_ACTION = "assurance.acceptance.expired"
S = TypeVar("S")  # a finding's subject, as the check knows it
AcceptanceState = Literal["active", "expired", "revoked"]
ACCEPTABLE = frozenset({"fail", "warn"})  # what an acceptance changes: a passing check has nothing to accept


class AcceptanceError(Exception):
    """A change the acceptance's state does not allow (changing a revoked one, …)."""

    def __init__(self, state: AcceptanceState) -> None:
        super().__init__(f"the acceptance is {state}")
        self.state = state


def latest_expiry(today: date) -> date:
    """`MAX_MONTHS` months after `today` (the 28th of February when that day does not exist)."""
    month = today.month - 1 + MAX_MONTHS
    year, month = today.year + month // 12, month % 12 + 1
    for day in (today.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has a 28th")


class Acceptance(BaseModel):
    """One accepted risk and what became of it. Names people by member id only."""

    acceptance_id: str
    check_id: str
    subject_id: str | None = None  # one finding's subject (directory object id); None: the whole check
    reason: str = Field(min_length=1, max_length=1000)
    owner: str = Field(min_length=1, max_length=200)
    expires_on: date
    created_at: datetime
    created_by: str  # member id
    updated_at: datetime
    updated_by: str
    revoked_at: datetime | None = None
    revoked_by: str | None = None
    expired_at: datetime | None = None  # when a compute run found it past its date

    def state_on(self, today: date) -> AcceptanceState:
        if self.revoked_at is not None:
            return "revoked"
        if self.expired_at is not None or today > self.expires_on:
            return "expired"
        return "active"

    def shown(self) -> AcceptedRisk:
        return AcceptedRisk(
            acceptance_id=self.acceptance_id,
            subject_id=self.subject_id,
            reason=self.reason,
            owner=self.owner,
            expires_on=self.expires_on,
        )


class AcceptanceRepository:
    """One organisation's acceptances, each row changed only conditionally (its ETag)."""

    def __init__(self, clients: StorageClients, tenant: TenantContext, tokens: PageTokenSigner) -> None:
        self._table = OrgTable(clients, tenant, TableName.RISK_ACCEPTANCES, tokens=tokens)

    def all(self) -> list[tuple[Acceptance, str]]:
        """Every acceptance with its storage ETag, newest first."""
        found = [
            (read_document(Acceptance, entity.properties), entity.etag) for entity in self._table.query()
        ]
        return sorted(found, key=lambda pair: pair[0].created_at, reverse=True)

    def find(self, acceptance_id: str) -> tuple[Acceptance, str] | None:
        if ACCEPTANCE_ID.fullmatch(acceptance_id) is None:  # from a URL: never a key of any row
            return None
        try:
            entity = self._table.get(acceptance_id)
        except NotFoundError:
            return None
        return read_document(Acceptance, entity.properties), entity.etag

    def create(self, acceptance: Acceptance) -> str:
        return self._table.insert(acceptance.acceptance_id, document_of(acceptance))

    def replace(self, acceptance: Acceptance, etag: str) -> str:
        """Write `acceptance` over the version `etag` names (ConcurrencyError when it changed since)."""
        return self._table.update(acceptance.acceptance_id, document_of(acceptance), etag=etag)

    def expire(self, now: datetime, audit: AuditLog, run_id: str) -> list[Acceptance]:
        """Mark every acceptance past its date `expired`, each with an audit row by `system`; returns all
        acceptances as they now stand (what a computation applies)."""
        current: list[Acceptance] = []
        for acceptance, etag in self.all():
            if acceptance.state_on(now.date()) == "expired" and acceptance.expired_at is None:
                expired = acceptance.model_copy(update={"expired_at": now})
                try:
                    self.replace(expired, etag)
                except ConcurrencyError:  # changed meanwhile (extended, revoked): read it again
                    again = self.find(acceptance.acceptance_id)
                    current.extend([again[0]] if again else [])
                    continue
                audit.append(
                    AuditEntry(
                        at=now,
                        actor_member_id=SYSTEM,
                        actor_role="",
                        action=EXPIRED_ACTION,
                        target=f"acceptance_id={acceptance.acceptance_id},check_id={acceptance.check_id}",
                        outcome="allowed",
                        status=200,
                        request_id=run_id,
                        client_address="",
                    )
                )
                current.append(expired)
                continue
            current.append(acceptance)
        return current


def new_acceptance(
    *,
    check_id: str,
    subject_id: str | None,
    reason: str,
    owner: str,
    expires_on: date,
    member_id: str,
    now: datetime,
) -> Acceptance:
    return Acceptance(
        acceptance_id=uuid.uuid4().hex,
        check_id=check_id,
        subject_id=subject_id.lower() if subject_id else None,
        reason=reason,
        owner=owner,
        expires_on=expires_on,
        created_at=now,
        created_by=member_id,
        updated_at=now,
        updated_by=member_id,
    )


class InForce:
    """The acceptances active on one day, by check and by (check, subject): what a computation applies."""

    def __init__(self, acceptances: Iterable[Acceptance] = (), today: date | None = None) -> None:
        self.checks: dict[str, Acceptance] = {}
        self.findings: dict[tuple[str, str], Acceptance] = {}
        for acceptance in acceptances:
            if today is not None and acceptance.state_on(today) != "active":
                continue
            if acceptance.subject_id is None:
                self.checks[acceptance.check_id] = acceptance
            else:
                self.findings[(acceptance.check_id, acceptance.subject_id)] = acceptance
        self.checked = {check_id for check_id, _ in self.findings}

    def of_finding(self, check_id: str, subject_id: str) -> Acceptance | None:
        """The acceptance covering one finding: its own, else its whole check's."""
        return self.findings.get((check_id, subject_id)) or self.checks.get(check_id)

    def apply(
        self, result: CheckResult, offenders: Sequence[S], subject_id: Callable[[S], str]
    ) -> CheckResult:
        """The check as published: `accepted` when an acceptance covers the whole check or every one of
        its findings (its `verdict` kept), else its verdict with the count of accepted findings."""
        if result.status not in ACCEPTABLE:
            return result
        whole = self.checks.get(result.id)
        by_finding: list[Acceptance] = []
        if result.id in self.checked:  # an object id per offender only for a check with such acceptances
            ids = (subject_id(o) for o in offenders)
            by_finding = [a for s in ids if (a := self.findings.get((result.id, s))) is not None]
        shown = [a.shown() for a in ([whole] if whole else []) + by_finding]
        every_finding = bool(offenders) and len(by_finding) == len(offenders)
        if whole is None and not every_finding:
            return result.model_copy(update={"accepted": shown, "accepted_findings": len(by_finding)})
        return result.model_copy(
            update={
                "status": "accepted",
                "verdict": result.status,
                "accepted": shown,
                "accepted_findings": len(offenders) if whole else len(by_finding),
            }
        )


RISK_ACCEPTANCES_OWNER = TableOwner.of_organisation_table(
    TableName.RISK_ACCEPTANCES,
    __name__,
    mentions=org_partitions_of(TableName.RISK_ACCEPTANCES),  # who created, changed or revoked one
    keeps="an acceptance names members only by id (pseudonymised at erasure); it is the organisation's "
    "record of accepted risks, kept until offboarding",
)
