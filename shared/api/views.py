"""Response models shared by several areas: what the API shows of a member and of an organisation."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from shared.members import PRIVACY_NOTICE_VERSION, Consent, Member, MemberStatus
from shared.organisations import Organisation, OrganisationStatus, RetentionSettings
from shared.roles import Role


class MemberView(BaseModel):
    member_id: str
    first_name: str
    last_name: str
    email: str
    phone: str | None
    role: Role
    status: MemberStatus
    created_at: datetime
    consents: list[Consent]
    # The privacy notice to accept (POST /me/consent) before giving optional personal data.
    privacy_notice_version: str = PRIVACY_NOTICE_VERSION

    @classmethod
    def of(cls, member: Member) -> MemberView:
        return cls.model_validate(member.model_dump())


class OrganisationView(BaseModel):
    org_id: str
    name: str
    status: OrganisationStatus
    created_at: datetime
    retention: RetentionSettings

    @classmethod
    def of(cls, organisation: Organisation) -> OrganisationView:
        return cls.model_validate(organisation.model_dump())


class Accepted(BaseModel):
    """A request that a background job carries out (erasure, offboarding)."""

    request_id: str
    state: str
    receipt_secret: str | None = Field(
        default=None,
        description="Shown once: with the request id it reads the deletion receipt, even after the "
        "organisation or the member is gone (GET /api/v1/deletion-receipts/{request_id})",
    )
