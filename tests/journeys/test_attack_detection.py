"""Journey: someone who has two members' passwords guesses their TOTP codes through the real app on the
local Functions host; the detection timer, run through the host's admin endpoint as Azure's would be,
finds the brute force and the lock-outs, and the operator reads the alerts with their evidence and the
P1 incident they opened. Another organisation's normal working day in the same window (sign-ins, one
mistyped code, reading insights) raises nothing."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import pyotp

from shared.operations.checkpoints import JobCheckpoint
from shared.operations.jobs import DETECTIONS_JOB, LEASE
from tests.journeys.conftest import Person, Stack

DETECTIONS = "operations_detections"


def wrong_code(person: Person) -> str:
    """A code the person's authenticator shows at no step the API accepts now."""
    assert person.totp_secret is not None
    totp, step = pyotp.TOTP(person.totp_secret), int(time.time()) // 30
    accepted = {totp.at((step + drift) * 30) for drift in (-1, 0, 1, 2)}
    return next(code for code in (f"{n:06d}" for n in range(1_000_000)) if code not in accepted)


def guess_codes(victim: Person, times: int) -> list[int]:
    """The attacker has the victim's bearer token (their password) but not their authenticator."""
    bearer = {"Authorization": f"Bearer {victim.token}"}
    code = wrong_code(victim)
    return [
        victim.stack.call("POST", "/session", headers=bearer, json={"code": code}).status_code
        for _ in range(times)
    ]


def normal_day(stack: Stack) -> str:
    """An organisation at work: its people sign in (one mistypes a code first) and read their figures."""
    founder = stack.sign_up()
    colleague = stack.join(founder, "admin")
    typo = colleague.call("POST", "/session", json={"code": wrong_code(colleague)})
    assert typo.status_code == 401, typo.text
    assert colleague.open_session().status_code == 201
    for person in (founder, colleague):
        assert person.get("/me").status_code == 200
        assert person.get("/members").status_code == 200
        assert person.get("/audit").status_code == 200
    return str(founder.get("/organisation").json()["org_id"])


def run_detections_on_the_host(stack: Stack) -> None:
    """`POST /admin/functions/operations_detections` (202: it runs in the background), then wait until
    the run has recorded its end."""
    checkpoint = JobCheckpoint(
        stack.services.storage, stack.services.page_signer, DETECTIONS_JOB, lease=LEASE
    )
    asked_at = datetime.now(UTC)
    time.sleep(1)  # the last request's audit rows are strictly before the run's end
    started = stack.client.post(f"{stack.host.base_url}/admin/functions/{DETECTIONS}", json={"input": ""})
    assert started.status_code == 202, started.text
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        until = checkpoint.last_until()
        if until is not None and until > asked_at:
            return
        time.sleep(0.5)
    raise AssertionError("the detection run did not finish within 60 s")


def items(operator: Person, path: str) -> list[dict[str, Any]]:
    response = operator.get(path)
    assert response.status_code == 200, response.text
    listed: list[dict[str, Any]] = response.json()["items"]
    return listed


def test_a_totp_brute_force_becomes_alerts_and_a_p1_incident(stack: Stack) -> None:
    calm_org = normal_day(stack)
    founder = stack.sign_up()
    org_id = founder.get("/organisation").json()["org_id"]
    victims = [stack.join(founder, "admin"), stack.join(founder, "user")]

    for victim in victims:
        # Five wrong codes lock a member; every guess is refused.
        assert set(guess_codes(victim, 5)) <= {401, 429}
        # Locked: the right code is refused too, until the lock ends.
        assert victim.call("POST", "/session", json={"code": victim.next_code()}).status_code in {401, 429}

    run_detections_on_the_host(stack)

    operator = stack.operator()
    alerts = {
        alert["rule_id"]: alert for alert in items(operator, "/platform/alerts") if alert["org_id"] == org_id
    }
    assert {"totp-brute-force", "mfa-lockouts-across-members", "mfa-lockout"} <= set(alerts)
    brute = alerts["totp-brute-force"]
    assert (brute["severity"], brute["event_count"], len(brute["event_ids"])) == ("high", 10, 10)
    assert brute["first_seen"] <= brute["last_seen"]
    assert alerts["mfa-lockouts-across-members"]["measure"] == 2
    assert alerts["mfa-lockout"]["incident_id"] is None  # low: reviewed, no incident

    incident = operator.get(f"/platform/incidents/{brute['incident_id']}")
    assert incident.status_code == 200, incident.text
    opened = incident.json()
    assert (opened["severity"], opened["priority"], opened["org_ids"], opened["state"]) == (
        "high", "P1", [org_id], "new",
    )  # fmt: skip
    assert opened["timeline"][0]["kind"] == "opened"
    # The incident list puts it among the open P1s, ahead of anything of lower priority.
    listed = items(operator, "/platform/incidents")
    assert brute["incident_id"] in [item["incident_id"] for item in listed if item["priority"] == "P1"]
    assert [item["priority"] for item in listed if item["state"] != "closed"] == sorted(
        item["priority"] for item in listed if item["state"] != "closed"
    )

    # Evidence is ids, counts and times: no code, token or secret of the victims anywhere.
    shown = str(alerts) + incident.text
    for victim in victims:
        for secret in (victim.token, victim.session or "", victim.totp_secret or ""):
            assert secret not in shown

    # The same window's normal working day raised nothing about that organisation.
    assert [alert for alert in items(operator, "/platform/alerts") if alert["org_id"] == calm_org] == []
    assert [item for item in listed if calm_org in item.get("org_ids", [])] == []
