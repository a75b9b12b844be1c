"""Detection rules: named, data-driven predicates over the audit log's events.

Each rule is one declaration: which events it matches, whose they are (the subject), how many of them
(or how many distinct values of one field) within its window raise it, its severity and why. The same
matched events decide the verdict and are the evidence, so an alert can never cite events that did not
count towards it. Events come from audit rows, which hold ids, actions, targets and addresses only, so
evidence never holds a token, TOTP code or secret.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from shared.audit import ANONYMOUS
from shared.identity.mfa_attempts import LOCKOUT, MAX_FAILURES
from shared.insights.reports import REPORTS
from shared.operations.events import AuditEvent
from shared.operations.severity import Severity

PERSON_LEVEL_REPORTS = frozenset(spec.id for spec in REPORTS if spec.person_level)


@dataclass(frozen=True)
class DetectionRule:
    rule_id: str
    title: str
    severity: Severity
    window: timedelta
    threshold: int  # raised when the measure within one window reaches this
    rationale: str
    matches: Callable[[AuditEvent], bool]
    subject: Callable[[AuditEvent], str]  # whose behaviour it is: one alert per (organisation, subject)
    distinct: Callable[[AuditEvent], str] | None = None  # count distinct values of this, not events

    def measure(self, events: Iterable[AuditEvent]) -> int:
        if self.distinct is None:
            return sum(1 for _ in events)
        return len({self.distinct(event) for event in events})


@dataclass(frozen=True)
class Finding:
    """A rule met by one subject: the events that met it (the evidence) and the rule's measure."""

    rule: DetectionRule
    org_id: str | None
    subject: str
    events: tuple[AuditEvent, ...]
    measure: int

    @property
    def first_seen(self) -> datetime:
        return min(event.entry.at for event in self.events)

    @property
    def last_seen(self) -> datetime:
        return max(event.entry.at for event in self.events)


def _security(name: str) -> Callable[[AuditEvent], bool]:
    action = f"security.{name}"
    return lambda event: event.entry.action == action


def _request(action: str, *statuses: int) -> Callable[[AuditEvent], bool]:
    return lambda event: event.entry.action == action and event.entry.status in statuses


def _target_field(target: str, name: str) -> str | None:
    for part in target.split(","):
        key, _, value = part.partition("=")
        if key == name:
            return value
    return None


def _rejected_token(event: AuditEvent) -> bool:
    # A refused bearer token or session leaves a 401 row with no member behind it.
    return event.entry.status == 401 and event.entry.actor_member_id == ANONYMOUS


def _new_super_admin(event: AuditEvent) -> bool:
    entry = event.entry
    promoted = entry.action == "security.super_admin_granted"
    joined = (
        entry.action == "POST /api/v1/invitations/accept"
        and entry.status == 201
        and _target_field(entry.target, "role") == "super_admin"
    )
    return promoted or joined


def _person_level_download(event: AuditEvent) -> bool:
    entry = event.entry
    if entry.status != 200:
        return False
    if entry.action == "GET /api/v1/organisation/export":
        return True
    return (
        entry.action == "GET /api/v1/reports/{report_id}"
        and _target_field(entry.target, "report") in PERSON_LEVEL_REPORTS
    )


def _signed_in_request(event: AuditEvent) -> bool:
    return event.entry.actor_member_id != ANONYMOUS and event.entry.outcome != "security"


def _organisation(event: AuditEvent) -> str:
    return event.org_id or "unattributed"


def _actor(event: AuditEvent) -> str:
    return f"member={event.entry.actor_member_id}"


def _address(event: AuditEvent) -> str:
    return f"address={event.entry.client_address or 'unknown'}"


def _target(event: AuditEvent) -> str:
    return event.entry.target


RULES: tuple[DetectionRule, ...] = (
    DetectionRule(
        rule_id="totp-brute-force",
        title="TOTP codes guessed across an organisation",
        severity="high",
        window=timedelta(minutes=15),
        threshold=2 * MAX_FAILURES,
        rationale=(
            f"One member is locked after {MAX_FAILURES} wrong codes; twice that within 15 minutes in one "
            "organisation means codes are being guessed for more than one member."
        ),
        matches=_security("mfa_failed"),
        subject=_organisation,
    ),
    DetectionRule(
        rule_id="mfa-lockouts-across-members",
        title="Several members locked out of MFA",
        severity="high",
        window=timedelta(hours=1),
        threshold=2,
        rationale="Two or more members locked out within an hour is an attack, not typos.",
        matches=_security("mfa_locked"),
        subject=_organisation,
        distinct=_target,
    ),
    DetectionRule(
        rule_id="mfa-lockout",
        title="A member locked out of MFA",
        severity="low",
        window=LOCKOUT,
        threshold=1,
        rationale=f"{MAX_FAILURES} wrong codes in a row: a forgotten authenticator, or someone guessing.",
        matches=_security("mfa_locked"),
        subject=_target,
    ),
    DetectionRule(
        rule_id="rejected-token-burst",
        title="Burst of rejected tokens from one address",
        severity="medium",
        window=timedelta(minutes=10),
        threshold=20,
        rationale=(
            "The web app forgets its tokens at the first 401, so one address refused twenty times in ten "
            "minutes is a script replaying, forging or guessing tokens."
        ),
        matches=_rejected_token,
        subject=_address,
    ),
    DetectionRule(
        rule_id="foreign-id-probing",
        title="Probing of other organisations' ids",
        severity="medium",
        window=timedelta(minutes=15),
        threshold=5,
        rationale=(
            "Ids come from the API's own lists; five unknown or other organisations' ids within 15 minutes "
            "is enumeration, not a stale link."
        ),
        matches=_security("unknown_or_foreign_id"),
        subject=_actor,
    ),
    DetectionRule(
        rule_id="role-escalation-attempt",
        title="Attempt to act beyond one's role",
        severity="medium",
        window=timedelta(hours=1),
        threshold=1,
        rationale="The web app never offers these actions to the role: someone is calling the API by hand.",
        matches=_security("role_escalation"),
        subject=_actor,
    ),
    DetectionRule(
        rule_id="new-super-admin",
        title="A new super admin",
        severity="medium",
        window=timedelta(hours=1),
        threshold=1,
        rationale="A super admin can change the tenant connection and erase the organisation: confirm it.",
        matches=_new_super_admin,
        subject=_organisation,
    ),
    DetectionRule(
        rule_id="m365-secret-replaced",
        title="The Microsoft 365 client secret was replaced",
        severity="medium",
        window=timedelta(hours=1),
        threshold=1,
        rationale="Whoever holds the new secret reads the tenant through our app registration: confirm it.",
        matches=_security("m365_credentials_replaced"),
        subject=_organisation,
    ),
    DetectionRule(
        rule_id="bulk-person-level-downloads",
        title="Bulk downloads of person-level reports or exports",
        severity="high",
        window=timedelta(hours=1),
        threshold=10,
        rationale=(
            "Person-level reports name people; ten downloads (or organisation exports) by one member within "
            "an hour is far beyond a working day's use and looks like exfiltration."
        ),
        matches=_person_level_download,
        subject=_actor,
    ),
    DetectionRule(
        rule_id="offboarding-requested",
        title="Offboarding requested",
        severity="medium",
        window=timedelta(hours=1),
        threshold=1,
        rationale="Offboarding erases the organisation's data: confirm the super admin meant it.",
        matches=_request("DELETE /api/v1/organisation", 202),
        subject=_organisation,
    ),
    DetectionRule(
        rule_id="session-many-addresses",
        title="One member's requests from many addresses",
        severity="medium",
        window=timedelta(hours=1),
        threshold=4,
        rationale="A person works from one or two networks an hour; four or more suggests a stolen session.",
        matches=_signed_in_request,
        subject=_actor,
        distinct=lambda event: event.entry.client_address,
    ),
    DetectionRule(
        rule_id="invitation-code-guessing",
        title="Invitation codes guessed from one address",
        severity="medium",
        window=timedelta(minutes=15),
        threshold=5,
        rationale="An invitee has one code; five refused within 15 minutes is guessing.",
        matches=_security("invitation_code_rejected"),
        subject=_address,
    ),
)
LONGEST_WINDOW = max(rule.window for rule in RULES)


def evaluate(rule: DetectionRule, events: Iterable[AuditEvent], since: datetime) -> list[Finding]:
    """The subjects for which `rule` is met by a window ending at an event at or after `since`.

    The events before `since` are context only (the start of a window that new events complete); a
    window made only of them was evaluated by an earlier run.
    """
    groups: dict[tuple[str | None, str], list[AuditEvent]] = defaultdict(list)
    for event in events:
        if rule.matches(event):
            groups[(event.org_id, rule.subject(event))].append(event)
    findings: list[Finding] = []
    for (org_id, subject), matched in groups.items():
        matched.sort(key=lambda event: event.entry.at)
        evidence: dict[str, AuditEvent] = {}
        for index, last in enumerate(matched):
            if last.entry.at < since:
                continue
            start = last.entry.at - rule.window
            window = [event for event in matched[: index + 1] if event.entry.at > start]
            if rule.measure(window) >= rule.threshold:
                evidence.update((event.event_id, event) for event in window)
        if evidence:
            events_in = tuple(sorted(evidence.values(), key=lambda event: event.entry.at))
            findings.append(Finding(rule, org_id, subject, events_in, rule.measure(events_in)))
    return findings


def evaluate_all(events: list[AuditEvent], since: datetime) -> list[Finding]:
    return [finding for rule in RULES for finding in evaluate(rule, events, since)]
