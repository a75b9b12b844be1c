"""Journey: a member erases themselves and follows their own request by its receipt id and secret.

Invited → accepts with the code → enrols TOTP → session → `DELETE /me` (202, receipt id and secret once)
→ the session ends at once → the host's deletion job runs → the receipt, read with no account left, says
done and names nobody; a wrong secret answers 404 like an unknown id.
"""

from __future__ import annotations

import json

from tests.journeys.conftest import Stack
from tests.journeys.test_offboarding import RECEIPT_HEADER, wait_for_receipt


def test_a_member_erases_themselves_and_follows_the_receipt(stack: Stack) -> None:
    admin = stack.sign_up()
    member = stack.person()
    invited = admin.call(
        "POST",
        "/members",
        json={"email": member.email, "role": "user", "first_name": "Mo", "last_name": "Leaver"},
    )
    assert invited.status_code == 201, invited.text
    accepted = member.call("POST", "/invitations/accept", json={"code": invited.json()["code"]})
    assert accepted.status_code == 201, accepted.text
    member.enrol_totp()
    assert member.open_session().status_code == 201
    member_id = member.get("/me").json()["member_id"]

    erased = member.call("DELETE", "/me")
    assert erased.status_code == 202, erased.text
    request_id, secret = erased.json()["request_id"], erased.json()["receipt_secret"]
    assert member.get("/me").status_code == 401  # the session ended with the request

    receipt = wait_for_receipt(stack, request_id, secret)
    assert receipt["subject"] == "member" and receipt["error"] is None
    assert (receipt["removed"]["member"], receipt["removed"]["identities"], receipt["removed"]["mfa"]) == (
        1,
        1,
        1,
    )
    text = json.dumps(receipt)
    assert member_id not in text and member.email not in text and "Leaver" not in text

    for wrong in ("f" * 32, request_id):
        refused = stack.call("GET", f"/deletion-receipts/{wrong}", headers={RECEIPT_HEADER: secret[::-1]})
        assert refused.status_code == 404
    # The organisation carries on; its admin sees the request as done too.
    assert admin.get(f"/deletion-requests/{request_id}").json()["state"] == "done"
