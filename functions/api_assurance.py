"""Assurance for admins: risk acceptances (with ETags) and what changed between published runs."""

from __future__ import annotations

import azure.functions as func

from shared.api import assurance
from shared.api.assurance import (
    AcceptanceBody,
    AcceptanceChange,
    AcceptanceList,
    AcceptanceView,
    ChangesList,
    ChangesQuery,
)
from shared.http.adapter import Access, Api, ApiResponse
from shared.http.request import ApiRequest
from shared.services import get_services

bp = func.Blueprint()
api = Api(bp)
TAGS = ("assurance",)
ACCEPTANCES = "v1/insights/assurance/acceptances"
ACCEPTANCE = ACCEPTANCES + "/{acceptance_id}"


@api.get(
    ACCEPTANCES,
    access=Access.ADMIN,
    summary="Risk acceptances: active, expired and revoked, newest first",
    response=AcceptanceList,
    tags=TAGS,
    support_read=True,
)
def get_acceptances(request: ApiRequest) -> AcceptanceList:
    return assurance.list_acceptances(request, get_services())


@api.post(
    ACCEPTANCES,
    access=Access.ADMIN,
    summary="Accept a failing check, or one finding of it: reason, owner, expiry (at most 12 months)",
    body=AcceptanceBody,
    response=AcceptanceView,
    status=201,
    tags=TAGS,
)
def post_acceptance(request: ApiRequest) -> ApiResponse:
    return assurance.create_acceptance(request, request.json(AcceptanceBody), get_services())


@api.get(
    ACCEPTANCE,
    access=Access.ADMIN,
    summary="One risk acceptance and its state (ETag)",
    response=AcceptanceView,
    tags=TAGS,
    support_read=True,
)
def get_acceptance(request: ApiRequest) -> ApiResponse:
    return assurance.show_acceptance(request, get_services())


@api.patch(
    ACCEPTANCE,
    access=Access.ADMIN,
    summary="Change an active acceptance's reason, owner or expiry (If-Match)",
    body=AcceptanceChange,
    response=AcceptanceView,
    tags=TAGS,
)
def patch_acceptance(request: ApiRequest) -> ApiResponse:
    return assurance.change_acceptance(request, request.json(AcceptanceChange), get_services())


@api.post(
    ACCEPTANCE + "/revoke",
    access=Access.ADMIN,
    summary="Revoke an active acceptance at once (If-Match): the next run shows the verdict again",
    response=AcceptanceView,
    tags=TAGS,
)
def revoke_acceptance(request: ApiRequest) -> ApiResponse:
    return assurance.revoke_acceptance(request, get_services())


@api.get(
    "v1/insights/assurance/changes",
    access=Access.ADMIN,
    summary="What changed since the previous run: of one run (`as_of`), or of each run from `from` to `to`",
    query=ChangesQuery,
    response=ChangesList,
    tags=TAGS,
    support_read=True,
)
def get_changes(request: ApiRequest) -> ChangesList:
    return assurance.get_changes(request, request.query_as(ChangesQuery), get_services())
