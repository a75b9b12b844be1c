"""The member's data export (GDPR Art. 15 access and Art. 20 portability): one JSON document.

It holds everything kept about the member: profile, role and status, consent history, sessions (times
and state only: never the token hash, which is a credential), MFA enrolment status (never the secret or
the recovery-code hashes) and the audit rows of their own actions, plus the Art. 15(1) information:
purposes, retention periods, recipients, source and rights.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from shared.lifecycle.scan import org_partitions
from shared.members import Consent, MemberRepository
from shared.mfa import MfaRecord
from shared.organisations import OrganisationRepository, RetentionSettings
from shared.services import Services
from shared.storage import NotFoundError, OrgTable, TableName, TenantContext

_SESSION_FIELDS = ("created_at", "last_seen_at", "idle_expires_at", "absolute_expires_at", "revoked")
AUDIT_FIELDS = ("at", "actor_role", "action", "target", "outcome", "status", "request_id", "client_address")
ABOUT = {
    "controller": "your organisation (the Insight365 customer); Insight365 processes on its behalf",
    "purposes": [
        "sign-in, multi-factor authentication and sessions",
        "access to your organisation's Microsoft 365 insights by role",
        "security audit of actions taken in Insight365",
    ],
    "recipients": "no one outside Insight365 and its Azure hosting (UK South / UK West)",
    "source": "you (profile, consents) and your organisation's administrators (role, invitation)",
    "automated_decisions": "none",
    "rights": [
        "access and portability: GET /api/v1/me/export",
        "rectification: PATCH /api/v1/me",
        "erasure: DELETE /api/v1/me",
        "consent: POST /api/v1/me/consent",
        "complaint: your organisation's data protection officer or the ICO (ico.org.uk)",
    ],
}


class MfaStatus(BaseModel):
    enrolled: bool
    confirmed: bool = False
    recovery_codes_remaining: int = 0
    locked_until: datetime | None = None


class Profile(BaseModel):
    member_id: str
    first_name: str
    last_name: str
    email: str
    phone: str | None
    role: str
    status: str
    created_at: datetime


class MemberExport(BaseModel):
    exported_at: datetime
    organisation_id: str
    profile: Profile
    consents: list[Consent]
    sessions: list[dict[str, Any]]
    mfa: MfaStatus
    audit: list[dict[str, Any]]
    retention_days: RetentionSettings
    about: dict[str, Any]


def _mfa_status(services: Services, tenant: TenantContext, member_id: str) -> MfaStatus:
    try:
        entity = OrgTable(services.storage, tenant, TableName.MFA, tokens=services.tokens).get(member_id)
    except NotFoundError:
        return MfaStatus(enrolled=False)
    record = MfaRecord.model_validate_json(entity.properties["document"])
    return MfaStatus(
        enrolled=True,
        confirmed=record.confirmed,
        recovery_codes_remaining=len(record.recovery_hashes),
        locked_until=record.locked_until,
    )


def _sessions(services: Services, tenant: TenantContext, member_id: str) -> list[dict[str, Any]]:
    table = OrgTable(services.storage, tenant, TableName.SESSIONS, tokens=services.tokens)
    return [
        {name: row.properties.get(name) for name in _SESSION_FIELDS}
        for row in table.query(select=["RowKey", "member_id", *_SESSION_FIELDS])
        if row.properties.get("member_id") == member_id
    ]


def _audit(services: Services, tenant: TenantContext, member_id: str) -> list[dict[str, Any]]:
    rows = [
        {name: row.properties.get(name) for name in AUDIT_FIELDS}
        for partition in org_partitions(services.storage, tenant, TableName.AUDIT, services.tokens)
        for row in partition.query(select=["RowKey", "actor_member_id", *AUDIT_FIELDS])
        if row.properties.get("actor_member_id") == member_id
    ]
    return sorted(rows, key=lambda row: str(row["at"]))


def export_member(services: Services, tenant: TenantContext, member_id: str) -> dict[str, Any]:
    """Everything held about the member, as JSON-ready data. `NotFoundError` if there is no such member."""
    member = MemberRepository(services.storage, tenant, services.tokens).find(member_id)
    if member is None:
        raise NotFoundError("no such member")
    organisation = OrganisationRepository(services.storage, services.tokens).find(tenant)
    export = MemberExport(
        exported_at=services.clock(),
        organisation_id=tenant.org_id,
        profile=Profile.model_validate(member.model_dump()),
        consents=member.consents,
        sessions=_sessions(services, tenant, member_id),
        mfa=_mfa_status(services, tenant, member_id),
        audit=_audit(services, tenant, member_id),
        retention_days=organisation.retention if organisation else RetentionSettings(),
        about=ABOUT,
    )
    return export.model_dump(mode="json")
