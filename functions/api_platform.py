"""The platform plane for Insight365's operators: sign-in with TOTP, who they are, the platform audit
log, and support requests. Customers are refused here whatever their role."""

from __future__ import annotations

import azure.functions as func

from shared.api.audit_query import AuditPage, AuditQuery
from shared.api.mfa_session import ConfirmBody, RecoveryCodes, SessionBody, TotpEnrolment
from shared.http.adapter import Access, Api, ApiResponse
from shared.http.request import ApiRequest
from shared.platform import operator_api, support_api
from shared.platform.operator_api import OperatorSessionView, OperatorView
from shared.platform.support_api import SupportGrantList, SupportGrantView, SupportRequestBody
from shared.services import get_services

bp = func.Blueprint()
api = Api(bp)
TAGS = ("platform",)


@api.post(
    "v1/platform/mfa/totp",
    access=Access.PLATFORM_SIGN_IN,
    summary="Operators: start TOTP enrolment (until confirmed)",
    response=TotpEnrolment,
    tags=TAGS,
)
def enrol_operator_totp(request: ApiRequest) -> TotpEnrolment:
    return operator_api.start_enrolment(request, get_services())


@api.post(
    "v1/platform/mfa/totp/confirm",
    access=Access.PLATFORM_SIGN_IN,
    summary="Operators: activate TOTP with a first code; returns one-time recovery codes once",
    body=ConfirmBody,
    response=RecoveryCodes,
    tags=TAGS,
)
def confirm_operator_totp(request: ApiRequest) -> RecoveryCodes:
    return operator_api.confirm_enrolment(request, request.json(ConfirmBody), get_services())


@api.post(
    "v1/platform/session",
    access=Access.PLATFORM_SIGN_IN,
    summary="Operators: open a platform session with a TOTP or recovery code",
    body=SessionBody,
    response=OperatorSessionView,
    status=201,
    tags=TAGS,
)
def post_operator_session(request: ApiRequest) -> OperatorSessionView:
    return operator_api.open_session(request, request.json(SessionBody), get_services())


@api.delete(
    "v1/platform/session",
    access=Access.OPERATOR,
    summary="Operators: log out (revoke this platform session)",
    status=204,
    tags=TAGS,
)
def delete_operator_session(request: ApiRequest) -> ApiResponse:
    operator_api.close_session(request, get_services())
    return ApiResponse(status=204)


@api.get(
    "v1/platform/me", access=Access.OPERATOR, summary="Operators: who am I", response=OperatorView, tags=TAGS
)
def get_operator(request: ApiRequest) -> OperatorView:
    return operator_api.who_am_i(request)


@api.get(
    "v1/platform/audit",
    access=Access.SECURITY_OFFICER,
    summary="The platform audit log, newest first: filter by from/to, action, actor, outcome",
    query=AuditQuery,
    response=AuditPage,
    tags=TAGS,
)
def get_platform_audit(request: ApiRequest) -> AuditPage:
    return operator_api.query_platform_audit(request.query_as(AuditQuery), get_services())


@api.post(
    "v1/platform/support-requests",
    access=Access.OPERATOR,
    summary="Ask an organisation for read-only support access (its super admin decides)",
    body=SupportRequestBody,
    response=SupportGrantView,
    status=201,
    tags=TAGS,
)
def post_support_request(request: ApiRequest) -> SupportGrantView:
    return support_api.request_support(request, request.json(SupportRequestBody), get_services())


@api.get(
    "v1/platform/support-requests",
    access=Access.OPERATOR,
    summary="Every support request and what became of it, newest first",
    response=SupportGrantList,
    tags=TAGS,
)
def get_support_requests(request: ApiRequest) -> SupportGrantList:
    return support_api.list_requests(get_services())


@api.get(
    "v1/platform/support-requests/{grant_id}",
    access=Access.OPERATOR,
    summary="One support request and its state",
    response=SupportGrantView,
    tags=TAGS,
)
def get_support_request(request: ApiRequest) -> SupportGrantView:
    return support_api.get_request(request, get_services())
