"""Attack patterns driven through the HTTP API become the expected alerts and incidents, with evidence
and never a secret; a normal working day's traffic becomes none."""

from __future__ import annotations

import secrets

from dev.smtp import RunningMailbox
from shared.operations.alerts import Alert, AlertStore
from shared.operations.incidents import IncidentBook
from shared.operations.jobs import JobReport, run_detections
from shared.operations.notifications import Notifier
from shared.services import Services
from tests.integration.api.client import Actor, FakeClock, call
from tests.integration.api.conftest import MakeOrg, Org


def _address() -> str:
    return f"198.51.100.{secrets.randbelow(250) + 1}"


def _from(address: str) -> dict[str, str]:
    return {"x-forwarded-for": f"{address}:4242"}


def _org_id(org: Org) -> str:
    return str(org.super_admin.call("GET", "/api/v1/organisation").json()["org_id"])


def _detect(services: Services, notifier: Notifier, clock: FakeClock) -> JobReport:
    clock.advance(seconds=1)  # the last request's rows are strictly before the run's end
    report = run_detections(services, notifier, clock())
    assert report.claimed
    return report


def _alerts(services: Services, *, org_id: str | None = None, subject: str | None = None) -> list[Alert]:
    return [
        alert
        for alert in AlertStore(services.storage, services.page_signer).list_recent(limit=10_000)
        if (org_id is None or alert.org_id == org_id) and (subject is None or alert.subject == subject)
    ]


def _by_rule(alerts: list[Alert]) -> dict[str, Alert]:
    return {alert.rule_id: alert for alert in alerts}


def _wrong_codes(actor: Actor, times: int, address: str) -> None:
    for _ in range(times):
        wrong = call(
            "POST", "/api/v1/session", headers={**actor.bearer, **_from(address)}, body={"code": "000000"}
        )
        assert wrong.status in {401, 429}, wrong.body


def test_totp_brute_force_across_members_opens_a_high_incident_and_mails_on_call(
    fresh_org: MakeOrg, services: Services, notifier: Notifier, clock: FakeClock, mailbox: RunningMailbox
) -> None:
    org = fresh_org("Brute Force Ltd")
    org_id, address = _org_id(org), _address()
    for victim in (org.admin, org.user):
        _wrong_codes(victim, 5, address)

    _detect(services, notifier, clock)

    alerts = _by_rule(_alerts(services, org_id=org_id))
    assert {"totp-brute-force", "mfa-lockouts-across-members", "mfa-lockout"} <= set(alerts)
    brute = alerts["totp-brute-force"]
    assert (brute.severity, brute.event_count, len(brute.event_ids)) == ("high", 10, 10)
    assert brute.first_seen <= brute.last_seen < clock()
    assert alerts["mfa-lockouts-across-members"].measure == 2
    assert alerts["mfa-lockout"].incident_id is None  # low: an alert to review, no incident
    incident = IncidentBook(services.storage, services.page_signer, notifier).get(brute.incident_id or "")
    assert (incident.severity, incident.priority, incident.org_ids) == ("high", "P1", [org_id])
    mail = mailbox.wait_for(lambda message: message["X-Insight365-Incident"] == incident.incident_id)
    assert "TOTP codes guessed" in str(mail["Subject"])
    # Evidence holds ids, counts and times: never the codes tried, a token or a TOTP secret.
    stored = brute.model_dump_json() + mail.as_string()
    for secret in ("000000", org.admin.token, org.admin.session or "", org.admin.totp_secret or ""):
        assert secret not in stored


def test_the_same_attack_seen_again_updates_its_alert_and_incident_instead_of_raising_more(
    fresh_org: MakeOrg, services: Services, notifier: Notifier, clock: FakeClock
) -> None:
    org = fresh_org("Persistent Ltd")
    org_id, address = _org_id(org), _address()
    _wrong_codes(org.admin, 5, address)
    _wrong_codes(org.user, 5, address)
    _detect(services, notifier, clock)
    first = _by_rule(_alerts(services, org_id=org_id))["totp-brute-force"]

    clock.advance(minutes=16)  # both locks have ended; the guessing goes on
    _wrong_codes(org.admin, 5, address)
    _wrong_codes(org.user, 5, address)
    _detect(services, notifier, clock)
    _detect(services, notifier, clock)  # a run with nothing new changes nothing

    alerts = [alert for alert in _alerts(services, org_id=org_id) if alert.rule_id == "totp-brute-force"]
    assert len(alerts) == 1
    assert (alerts[0].alert_id, alerts[0].event_count) == (first.alert_id, 20)
    assert alerts[0].incident_id == first.incident_id


def test_a_burst_of_rejected_tokens_from_one_address(
    services: Services, notifier: Notifier, clock: FakeClock
) -> None:
    address = _address()
    for _ in range(20):
        refused = call("GET", "/api/v1/me", headers={"authorization": "Bearer not.a.jwt", **_from(address)})
        assert refused.status == 401
    _detect(services, notifier, clock)

    (alert,) = _alerts(services, subject=f"address={address}")
    assert (alert.rule_id, alert.event_count, alert.org_id) == ("rejected-token-burst", 20, None)
    incident = IncidentBook(services.storage, services.page_signer, notifier).get(alert.incident_id or "")
    assert (incident.customer_impacting, incident.priority) == (False, "P3")  # nobody's organisation


def test_probing_other_organisations_ids(
    fresh_org: MakeOrg, services: Services, notifier: Notifier, clock: FakeClock
) -> None:
    prober, victim = fresh_org("Prober Ltd"), fresh_org("Victim Ltd")
    for foreign in (
        victim.admin.member_id,
        victim.user.member_id,
        victim.super_admin.member_id,
        "f" * 32,
        "0" * 32,
    ):
        assert prober.admin.call("GET", f"/api/v1/members/{foreign}").status == 404
    _detect(services, notifier, clock)

    alert = _by_rule(_alerts(services, org_id=_org_id(prober)))["foreign-id-probing"]
    assert (alert.subject, alert.event_count) == (f"member={prober.admin.member_id}", 5)
    assert not _alerts(services, org_id=_org_id(victim))


def test_role_escalation_and_a_new_super_admin(
    fresh_org: MakeOrg, services: Services, notifier: Notifier, clock: FakeClock
) -> None:
    org = fresh_org("Escalation Ltd")
    url = f"/api/v1/members/{org.user.member_id}"
    etag = org.admin.call("GET", url).headers["ETag"]
    refused = org.admin.call("PATCH", url, body={"role": "super_admin"}, headers={"if-match": etag})
    assert refused.status == 403
    admin_url = f"/api/v1/members/{org.admin.member_id}"
    etag = org.super_admin.call("GET", admin_url).headers["ETag"]
    promoted = org.super_admin.call(
        "PATCH", admin_url, body={"role": "super_admin"}, headers={"if-match": etag}
    )
    assert promoted.status == 200, promoted.body
    _detect(services, notifier, clock)

    alerts = _by_rule(_alerts(services, org_id=_org_id(org)))
    assert alerts["role-escalation-attempt"].subject == f"member={org.admin.member_id}"
    assert alerts["new-super-admin"].event_count == 1
    assert all(alert.incident_id for alert in alerts.values())  # both medium: incidents


def test_bulk_exports_of_person_level_data(
    fresh_org: MakeOrg, services: Services, notifier: Notifier, clock: FakeClock
) -> None:
    org = fresh_org("Exfiltration Ltd")
    for _ in range(10):
        assert org.super_admin.call("GET", "/api/v1/organisation/export").status == 200
    _detect(services, notifier, clock)

    alert = _by_rule(_alerts(services, org_id=_org_id(org)))["bulk-person-level-downloads"]
    assert (alert.severity, alert.event_count) == ("high", 10)


def test_a_normal_working_day_raises_nothing(
    fresh_org: MakeOrg, services: Services, notifier: Notifier, clock: FakeClock
) -> None:
    org = fresh_org("Ordinary Ltd")
    org_id, address = _org_id(org), _address()
    office = _from(address)
    with clock.travel():  # other tests' tokens must outlive this day
        _working_day(org, office, address, services, notifier, clock)

    assert _alerts(services, org_id=org_id) == []
    assert _alerts(services, subject=f"address={address}") == []


def _working_day(
    org: Org, office: dict[str, str], address: str, services: Services, notifier: Notifier, clock: FakeClock
) -> None:
    """Eight half-hours of three members reading, with the usual slips."""
    for half_hour in range(8):
        for member in (org.super_admin, org.admin, org.user):
            for url in ("/api/v1/me", "/api/v1/organisation", "/api/v1/reports"):
                assert member.call("GET", url, headers=office).status == 200
        for url in ("/api/v1/members", "/api/v1/invitations", "/api/v1/audit", "/api/v1/runs"):
            assert org.admin.call("GET", url, headers=office).status == 200
        if half_hour == 3:  # one mistyped code, one stale link, one export: a normal day
            _wrong_codes(org.user, 1, address)
            assert org.admin.call("GET", f"/api/v1/members/{'0' * 32}", headers=office).status == 404
            assert org.super_admin.call("GET", "/api/v1/organisation/export", headers=office).status == 200
        clock.advance(minutes=30)
        for member in (org.super_admin, org.admin, org.user):
            if member.call("GET", "/api/v1/me", headers=office).status == 401:
                _reopen(member, clock)
        _detect(services, notifier, clock)


def _reopen(member: Actor, clock: FakeClock) -> None:
    opened = call("POST", "/api/v1/session", headers=member.bearer, body={"code": member.code(clock)})
    assert opened.status == 201, opened.body
    member.session = opened.json()["session_token"]
    clock.advance(seconds=30)
