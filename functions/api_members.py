"""Member management: invitations, roles and status, MFA reset, erasure (admin; super admins for super
admins)."""

from __future__ import annotations

import azure.functions as func

from shared.api.members_admin import (
    InviteBody,
    IssuedInvitation,
    MemberList,
    MemberPatch,
    PageQuery,
    erase_member,
    get_member,
    invite,
    list_members,
    reset_mfa,
    update_member,
)
from shared.api.views import Accepted, MemberView
from shared.http.adapter import Access, Api, ApiResponse
from shared.http.request import ApiRequest
from shared.services import get_services

bp = func.Blueprint()
api = Api(bp)
TAGS = ("members",)
MEMBER = "v1/members/{member_id}"


@api.get(
    "v1/members", access=Access.ADMIN, summary="List members", query=PageQuery, response=MemberList, tags=TAGS
)
def get_members(request: ApiRequest) -> MemberList:
    return list_members(request, request.query_as(PageQuery), get_services())


@api.post(
    "v1/members",
    access=Access.ADMIN,
    summary="Invite a member, or renew the address's pending invitation: returns its code once",
    body=InviteBody,
    response=IssuedInvitation,
    status=201,
    tags=TAGS,
)
def post_member(request: ApiRequest) -> ApiResponse:
    return invite(request, request.json(InviteBody), get_services())


@api.get(MEMBER, access=Access.ADMIN, summary="One member", response=MemberView, tags=TAGS)
def get_one(request: ApiRequest) -> ApiResponse:
    return get_member(request, get_services())


@api.patch(
    MEMBER,
    access=Access.ADMIN,
    summary="Change a member's role or status (If-Match required)",
    body=MemberPatch,
    response=MemberView,
    tags=TAGS,
)
def patch_one(request: ApiRequest) -> ApiResponse:
    return update_member(request, request.json(MemberPatch), get_services())


@api.delete(MEMBER, access=Access.ADMIN, summary="Erase a member", response=Accepted, status=202, tags=TAGS)
def delete_one(request: ApiRequest) -> Accepted:
    return erase_member(request, get_services())


@api.delete(
    f"{MEMBER}/mfa",
    access=Access.ADMIN,
    summary="Reset a member's MFA: they enrol TOTP again; their sessions end",
    status=204,
    tags=TAGS,
)
def delete_mfa(request: ApiRequest) -> ApiResponse:
    return reset_mfa(request, get_services())
