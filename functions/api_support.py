"""Support access the customer controls: the organisation's grants, and its super admin's decisions."""

from __future__ import annotations

import azure.functions as func

from shared.http.adapter import Access, Api
from shared.http.request import ApiRequest
from shared.platform import support_api
from shared.platform.support_api import SupportGrantList, SupportGrantView
from shared.services import get_services

bp = func.Blueprint()
api = Api(bp)
TAGS = ("support-access",)


@api.get(
    "v1/support-access",
    access=Access.ADMIN,
    summary="Support access to this organisation: pending, active and past grants, newest first",
    response=SupportGrantList,
    tags=TAGS,
)
def get_support_access(request: ApiRequest) -> SupportGrantList:
    return support_api.list_grants(request, get_services())


@api.get(
    "v1/support-access/{grant_id}",
    access=Access.ADMIN,
    summary="One support grant and its state",
    response=SupportGrantView,
    tags=TAGS,
)
def get_one_support_access(request: ApiRequest) -> SupportGrantView:
    return support_api.get_grant(request, get_services())


@api.post(
    "v1/support-access/{grant_id}/approve",
    access=Access.SUPER_ADMIN,
    summary="Approve a pending request: read-only access for its hours (at most 72), from now",
    response=SupportGrantView,
    tags=TAGS,
)
def approve_support_access(request: ApiRequest) -> SupportGrantView:
    return support_api.decide(request, get_services(), approve=True)


@api.post(
    "v1/support-access/{grant_id}/deny",
    access=Access.SUPER_ADMIN,
    summary="Deny a pending request",
    response=SupportGrantView,
    tags=TAGS,
)
def deny_support_access(request: ApiRequest) -> SupportGrantView:
    return support_api.decide(request, get_services(), approve=False)


@api.post(
    "v1/support-access/{grant_id}/revoke",
    access=Access.SUPER_ADMIN,
    summary="End a grant at once (or withdraw a pending request)",
    response=SupportGrantView,
    tags=TAGS,
)
def revoke_support_access(request: ApiRequest) -> SupportGrantView:
    return support_api.revoke(request, get_services())
