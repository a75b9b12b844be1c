"""The member's own profile and GDPR self-service (access, rectification, erasure, consent)."""

from __future__ import annotations

from typing import Any

import azure.functions as func

from shared.api.profile import (
    ConsentBody,
    ProfilePatch,
    export,
    member_response,
    record_consent,
    rectify,
    request_erasure,
)
from shared.api.views import Accepted, MemberView
from shared.http.adapter import Access, Api, ApiResponse
from shared.http.request import ApiRequest
from shared.lifecycle.export import MemberExport
from shared.services import get_services

bp = func.Blueprint()
api = Api(bp)
TAGS = ("me",)


@api.get("v1/me", access=Access.USER, summary="Your profile", response=MemberView, tags=TAGS)
def get_me(request: ApiRequest) -> ApiResponse:
    return member_response(request.member)


@api.patch(
    "v1/me",
    access=Access.USER,
    summary="Rectify your profile (If-Match required)",
    body=ProfilePatch,
    response=MemberView,
    tags=TAGS,
)
def patch_me(request: ApiRequest) -> ApiResponse:
    return rectify(request, request.json(ProfilePatch), get_services())


@api.get(
    "v1/me/export",
    access=Access.USER,
    summary="Everything held about you (JSON)",
    response=MemberExport,
    tags=TAGS,
)
def get_export(request: ApiRequest) -> ApiResponse:
    document: dict[str, Any] = export(request, get_services())
    return ApiResponse(body=document)


@api.delete(
    "v1/me",
    access=Access.USER,
    summary="Request erasure of your data",
    response=Accepted,
    status=202,
    tags=TAGS,
)
def delete_me(request: ApiRequest) -> Accepted:
    return request_erasure(request, get_services())


@api.post(
    "v1/me/consent",
    access=Access.USER,
    summary="Accept the current privacy notice version (history is kept)",
    body=ConsentBody,
    response=MemberView,
    tags=TAGS,
)
def post_consent(request: ApiRequest) -> ApiResponse:
    return record_consent(request, request.json(ConsentBody), get_services())
