"""TOTP enrolment and sessions over HTTP: bodies, results, and MFA outcomes as problems + audit events."""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Annotated, Self

from pydantic import BaseModel, Field, model_validator

from shared.api.onboarding import member_of
from shared.auth.sessions import OpenedSession
from shared.http.problems import ApiError, conflict, too_many_requests, unauthenticated
from shared.http.request import ApiRequest, RequestModel
from shared.mfa import (
    Code,
    MfaAlreadyEnrolledError,
    MfaCodeRejectedError,
    MfaLockedError,
    MfaNotEnrolledError,
    MfaService,
)
from shared.roles import Role
from shared.services import Services
from shared.storage import TenantContext

TotpCode = Annotated[str, Field(pattern=r"^[0-9]{6}$")]
RecoveryCode = Annotated[str, Field(min_length=16, max_length=24, pattern=r"^[A-Za-z2-7 -]+$")]


class TotpEnrolment(BaseModel):
    secret: str = Field(description="Base32 TOTP secret; shown once")
    otpauth_uri: str


class ConfirmBody(RequestModel):
    code: TotpCode


class RecoveryCodes(BaseModel):
    recovery_codes: list[str] = Field(description="One-time recovery codes; shown once, stored hashed")


class SessionBody(RequestModel):
    code: TotpCode | None = None
    recovery_code: RecoveryCode | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Self:
        if (self.code is None) == (self.recovery_code is None):
            raise ValueError("give exactly one of code and recovery_code")
        return self


class OpenedSessionView(BaseModel):
    session_token: str = Field(description="Send as X-Session with the bearer token; shown once")
    member_id: str
    role: Role
    idle_expires_at: datetime
    absolute_expires_at: datetime


def _mfa(services: Services, tenant: TenantContext) -> MfaService:
    return services.org(tenant).mfa


@contextmanager
def _mfa_outcomes(request: ApiRequest, member_id: str, now: datetime) -> Iterator[None]:
    """MFA errors as problems; failures and locks become security events in the audit log."""
    target = f"member={member_id}"
    try:
        yield
    except MfaNotEnrolledError:
        raise conflict("mfa-not-enrolled", "TOTP is not active", "Enrol and confirm TOTP first.") from None
    except MfaAlreadyEnrolledError:
        raise conflict("mfa-already-enrolled", "TOTP is already active") from None
    except MfaLockedError as error:
        request.audit.security_event("mfa_locked_attempt", target)
        seconds = math.ceil((error.until - now).total_seconds())
        raise too_many_requests("mfa-locked", "Too many wrong codes", seconds) from None
    except MfaCodeRejectedError as error:
        request.audit.security_event("mfa_failed", target)
        if error.locked_until is not None:
            request.audit.security_event("mfa_locked", target)
        raise ApiError(401, "mfa-code-rejected", "The code was not accepted") from None


def start_enrolment(request: ApiRequest, services: Services) -> TotpEnrolment:
    tenant, member = member_of(request)
    return enrol(request, services, tenant, member.member_id, member.email)


def confirm_enrolment(request: ApiRequest, body: ConfirmBody, services: Services) -> RecoveryCodes:
    tenant, member = member_of(request)
    return confirm(request, body, services, tenant, member.member_id)


def open_session(request: ApiRequest, body: SessionBody, services: Services) -> OpenedSessionView:
    tenant, member = member_of(request)
    opened = verify_and_open(request, body, services, tenant, member.member_id)
    return OpenedSessionView(
        session_token=opened.token,
        member_id=member.member_id,
        role=member.role,
        idle_expires_at=opened.session.idle_expires_at,
        absolute_expires_at=opened.session.absolute_expires_at,
    )


# The same rules for anyone with a TOTP secret and sessions in a partition: a member in their
# organisation's, an operator in the platform's.


def enrol(
    request: ApiRequest, services: Services, tenant: TenantContext, account_id: str, label: str
) -> TotpEnrolment:
    with _mfa_outcomes(request, account_id, services.clock()):
        enrolment = _mfa(services, tenant).start_enrolment(account_id, label)
    return TotpEnrolment(secret=enrolment.secret, otpauth_uri=enrolment.otpauth_uri)


def confirm(
    request: ApiRequest, body: ConfirmBody, services: Services, tenant: TenantContext, account_id: str
) -> RecoveryCodes:
    now = services.clock()
    with _mfa_outcomes(request, account_id, now):
        codes = _mfa(services, tenant).confirm(account_id, body.code, now)
    return RecoveryCodes(recovery_codes=list(codes))


def verify_and_open(
    request: ApiRequest, body: SessionBody, services: Services, tenant: TenantContext, account_id: str
) -> OpenedSession:
    now = services.clock()
    with _mfa_outcomes(request, account_id, now):
        _mfa(services, tenant).verify(account_id, Code(totp=body.code, recovery=body.recovery_code), now)
    return services.org(tenant).sessions.open(account_id, now)


def close_session(request: ApiRequest, services: Services) -> None:
    session_hash = request.verified_caller.session_hash
    if session_hash is None:
        raise unauthenticated()
    services.org(request.tenant).sessions.revoke(session_hash)
