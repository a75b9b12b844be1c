"""Member management: invitations, roles and status, erasure (admin; super admins for super admins)."""

from __future__ import annotations

import azure.functions as func

from shared.api.members_admin import (
    InvitationView,
    InviteBody,
    MemberList,
    MemberPatch,
    PageQuery,
    erase_member,
    get_member,
    invite,
    list_members,
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
    summary="Invite a member (bound to the identity that first signs in with this verified email)",
    body=InviteBody,
    response=InvitationView,
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
