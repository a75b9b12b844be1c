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

from shared.members import Consent
from shared.mfa import find_mfa_record
from shared.organisations import OrganisationRepository, RetentionSettings
from shared.services import Services
from shared.storage import NotFoundError, TenantContext

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
    record = find_mfa_record(services, tenant, member_id)
    if record is None:
        return MfaStatus(enrolled=False)
    return MfaStatus(
        enrolled=True,
        confirmed=record.confirmed,
        recovery_codes_remaining=len(record.recovery_hashes),
        locked_until=record.locked_until,
    )


def _sessions(services: Services, tenant: TenantContext, member_id: str) -> list[dict[str, Any]]:
    sessions = services.org(tenant).sessions.list_member(member_id)
    return [session.exported() for session in sessions]


def _audit(services: Services, tenant: TenantContext, member_id: str) -> list[dict[str, Any]]:
    rows = services.org(tenant).audit.iter_exported(member_id)
    return sorted(rows, key=lambda row: str(row["at"]))


def export_member(services: Services, tenant: TenantContext, member_id: str) -> dict[str, Any]:
    """Everything held about the member, as JSON-ready data. `NotFoundError` if there is no such member."""
    member = services.org(tenant).members.find(member_id)
    if member is None:
        raise NotFoundError("no such member")
    organisation = OrganisationRepository(services.storage, services.page_signer).find(tenant)
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
