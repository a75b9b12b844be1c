"""The member export holds everything about the member and no credential."""

from __future__ import annotations

import json

import pytest

from shared.lifecycle import export_member
from shared.storage import NotFoundError, OrgTable, TableName, TenantContext
from tests.integration.lifecycle.conftest import seed_organisation


def test_export_holds_profile_consents_sessions_mfa_and_own_audit_rows(services, secrets) -> None:
    org = seed_organisation(services, secrets)
    member, other = org.people

    export = export_member(services, org.tenant, member.member_id)

    text = json.dumps(export)
    assert export["profile"]["email"] == member.email and export["profile"]["phone"] == member.phone
    assert [consent["version"] for consent in export["consents"]] == ["2026-01"]
    assert len(export["sessions"]) == 1 and set(export["sessions"][0]) >= {"created_at", "revoked"}
    assert export["mfa"] == {
        "enrolled": True,
        "confirmed": True,
        "recovery_codes_remaining": 2,
        "locked_until": None,
    }
    assert len(export["audit"]) == 3 and all(
        row["target"] == f"members/{other.member_id}" for row in export["audit"]
    )
    assert export["retention_days"] == {"raw_days": 30, "insights_days": 400, "audit_days": 730}
    sessions = OrgTable(services.storage, org.tenant, TableName.SESSIONS, tokens=services.page_signer)
    for row in sessions.query():
        assert row.row_key not in text  # the token hash is a credential
    mfa = OrgTable(services.storage, org.tenant, TableName.MFA, tokens=services.page_signer).get(
        member.member_id
    )
    secret = json.loads(mfa.properties["document"])["sealed_secret"]
    assert secret not in text and '"h1"' not in text
    assert other.email not in text


def test_export_of_another_organisations_member_is_not_found(services, secrets) -> None:
    org = seed_organisation(services, secrets)
    with pytest.raises(NotFoundError):
        export_member(services, TenantContext.new_organisation(), org.people[0].member_id)
