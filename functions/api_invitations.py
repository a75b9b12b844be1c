"""Invitations: the inviting organisation's admins list and revoke them; the invitee previews and accepts
one with its code (a bearer token with the invited, verified email; no membership yet)."""

from __future__ import annotations

import azure.functions as func

from shared.api.members_admin import InvitationList, PageQuery, list_invitations, revoke_invitation
from shared.api.onboarding import (
    InvitationCodeBody,
    InvitationPreview,
    Membership,
    accept_invitation,
    preview_invitation,
)
from shared.http.adapter import Access, Api, ApiResponse
from shared.http.request import ApiRequest
from shared.services import get_services

bp = func.Blueprint()
api = Api(bp)
TAGS = ("invitations",)
# The literal routes first: a router that takes the first matching template must not read "accept" as
# an invitation id (the Functions host ranks literal segments first anyway).


@api.post(
    "v1/invitations/preview",
    access=Access.BEARER,
    summary="Which organisation and role an invitation code is for (for the invited email only)",
    body=InvitationCodeBody,
    response=InvitationPreview,
    tags=TAGS,
)
def post_preview(request: ApiRequest) -> InvitationPreview:
    return preview_invitation(request, request.json(InvitationCodeBody), get_services())


@api.post(
    "v1/invitations/accept",
    access=Access.BEARER,
    summary="Join the organisation an invitation code names (once; for the invited email only)",
    body=InvitationCodeBody,
    response=Membership,
    status=201,
    tags=TAGS,
)
def post_accept(request: ApiRequest) -> Membership:
    return accept_invitation(request, request.json(InvitationCodeBody), get_services())


@api.get(
    "v1/invitations",
    access=Access.ADMIN,
    summary="Pending invitations of your organisation (never their codes)",
    query=PageQuery,
    response=InvitationList,
    tags=TAGS,
)
def get_invitations(request: ApiRequest) -> InvitationList:
    return list_invitations(request, request.query_as(PageQuery), get_services())


@api.delete(
    "v1/invitations/{invitation_id}",
    access=Access.ADMIN,
    summary="Revoke a pending invitation: its code stops working",
    status=204,
    tags=TAGS,
)
def delete_invitation(request: ApiRequest) -> ApiResponse:
    return revoke_invitation(request, get_services())
