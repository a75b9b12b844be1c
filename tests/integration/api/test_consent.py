"""Consent history: kept per notice version, and bounded — accepting the same version again adds nothing
(each acceptance used to append a row entry until the member row passed the Table service's 64 KiB)."""

from __future__ import annotations

from shared.members import PRIVACY_NOTICE_VERSION
from tests.integration.api.conftest import MakeOrg


def test_accepting_the_same_notice_again_keeps_one_entry(fresh_org: MakeOrg) -> None:
    member = fresh_org("Consent Ltd").user
    for _ in range(3):
        accepted = member.call("POST", "/api/v1/me/consent", body={"version": PRIVACY_NOTICE_VERSION})
        assert accepted.status == 200, accepted.body
    consents = member.call("GET", "/api/v1/me").json()["consents"]
    assert [consent["version"] for consent in consents] == [PRIVACY_NOTICE_VERSION]


def test_an_overlong_notice_version_is_refused_as_invalid(fresh_org: MakeOrg) -> None:
    member = fresh_org("Consent Bounds Ltd").user
    refused = member.call("POST", "/api/v1/me/consent", body={"version": "x" * 33})
    assert refused.status == 422, refused.body
