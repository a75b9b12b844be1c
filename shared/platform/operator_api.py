"""Operators over HTTP: TOTP enrolment, sessions and who they are, in the platform's partition; and the
platform audit log (security officers)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from shared.api.audit_query import AuditPage, AuditQuery, audit_page
from shared.api.mfa_session import (
    ConfirmBody,
    RecoveryCodes,
    SessionBody,
    TotpEnrolment,
    confirm,
    enrol,
    verify_and_open,
)
from shared.http.problems import forbidden, unauthenticated
from shared.http.request import ApiRequest
from shared.platform.operators import Operator, find_operator, platform_audit
from shared.roles import PlatformRole
from shared.services import Services
from shared.storage import PLATFORM

OTPAUTH_LABEL = "Insight365 platform"


class OperatorView(BaseModel):
    operator_id: str = Field(description="Stands for the operator in sessions, MFA and audit rows")
    role: PlatformRole


class OperatorSessionView(OperatorView):
    session_token: str = Field(description="Send as X-Session with the bearer token; shown once")
    idle_expires_at: datetime
    absolute_expires_at: datetime


def _signing_in(request: ApiRequest, services: Services) -> Operator:
    """The operator behind the bearer token (the authenticator admitted only configured operators)."""
    operator = find_operator(request.verified_caller.identity, services)
    if operator is None:
        raise forbidden("This is for Insight365's operators.")
    return operator


def start_enrolment(request: ApiRequest, services: Services) -> TotpEnrolment:
    operator = _signing_in(request, services)
    label = request.verified_caller.identity.email or OTPAUTH_LABEL
    return enrol(request, services, PLATFORM, operator.operator_id, label)


def confirm_enrolment(request: ApiRequest, body: ConfirmBody, services: Services) -> RecoveryCodes:
    return confirm(request, body, services, PLATFORM, _signing_in(request, services).operator_id)


def open_session(request: ApiRequest, body: SessionBody, services: Services) -> OperatorSessionView:
    operator = _signing_in(request, services)
    opened = verify_and_open(request, body, services, PLATFORM, operator.operator_id)
    return OperatorSessionView(
        operator_id=operator.operator_id,
        role=operator.role,
        session_token=opened.token,
        idle_expires_at=opened.session.idle_expires_at,
        absolute_expires_at=opened.session.absolute_expires_at,
    )


def close_session(request: ApiRequest, services: Services) -> None:
    session_hash = request.verified_caller.session_hash
    if session_hash is None:
        raise unauthenticated()
    services.org(PLATFORM).sessions.revoke(session_hash)


def who_am_i(request: ApiRequest) -> OperatorView:
    return OperatorView(operator_id=request.operator.operator_id, role=request.operator.role)


def query_platform_audit(query: AuditQuery, services: Services) -> AuditPage:
    return audit_page(platform_audit(services), query)
