"""Sign-up, TOTP enrolment and sessions: the calls made with a bearer token before a session exists."""

from __future__ import annotations

import azure.functions as func

from shared.api.mfa_session import (
    ConfirmBody,
    OpenedSessionView,
    RecoveryCodes,
    SessionBody,
    TotpEnrolment,
    close_session,
    confirm_enrolment,
    open_session,
    start_enrolment,
)
from shared.api.onboarding import Membership, SignupBody, sign_up
from shared.http.adapter import Access, Api, ApiResponse
from shared.http.request import ApiRequest
from shared.services import get_services

bp = func.Blueprint()
api = Api(bp)
TAGS = ("session",)


@api.post(
    "v1/signup",
    access=Access.BEARER,
    summary="Create an organisation and its first super admin",
    body=SignupBody,
    response=Membership,
    status=201,
    tags=TAGS,
)
def signup(request: ApiRequest) -> Membership:
    return sign_up(request, request.json(SignupBody), get_services())


@api.post(
    "v1/me/mfa/totp",
    access=Access.BEARER,
    summary="Start TOTP enrolment: a new secret and otpauth URI (until confirmed)",
    response=TotpEnrolment,
    tags=TAGS,
)
def enrol_totp(request: ApiRequest) -> TotpEnrolment:
    return start_enrolment(request, get_services())


@api.post(
    "v1/me/mfa/totp/confirm",
    access=Access.BEARER,
    summary="Activate TOTP with a first code; returns one-time recovery codes once",
    body=ConfirmBody,
    response=RecoveryCodes,
    tags=TAGS,
)
def confirm_totp(request: ApiRequest) -> RecoveryCodes:
    return confirm_enrolment(request, request.json(ConfirmBody), get_services())


@api.post(
    "v1/session",
    access=Access.BEARER,
    summary="Open a session with a TOTP or recovery code",
    body=SessionBody,
    response=OpenedSessionView,
    status=201,
    tags=TAGS,
)
def post_session(request: ApiRequest) -> OpenedSessionView:
    return open_session(request, request.json(SessionBody), get_services())


@api.delete("v1/session", access=Access.USER, summary="Log out: revoke this session", status=204, tags=TAGS)
def delete_session(request: ApiRequest) -> ApiResponse:
    close_session(request, get_services())
    return ApiResponse(status=204)
