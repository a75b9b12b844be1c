"""The caller's organisation: settings, offboarding, and the state of deletion requests."""

from __future__ import annotations

import azure.functions as func

from shared.api.organisation import (
    OffboardingBody,
    OrganisationPatch,
    deletion_request,
    offboard,
    show,
    update,
)
from shared.api.views import Accepted, OrganisationView
from shared.http.adapter import Access, Api, ApiResponse
from shared.http.request import ApiRequest
from shared.lifecycle import DeletionRequest
from shared.services import get_services

bp = func.Blueprint()
api = Api(bp)
TAGS = ("organisation",)
ORGANISATION = "v1/organisation"


@api.get(ORGANISATION, access=Access.USER, summary="Your organisation", response=OrganisationView, tags=TAGS)
def get_organisation(request: ApiRequest) -> ApiResponse:
    return show(request, get_services())


@api.patch(
    ORGANISATION,
    access=Access.SUPER_ADMIN,
    summary="Rename, or shorten retention (If-Match required)",
    body=OrganisationPatch,
    response=OrganisationView,
    tags=TAGS,
)
def patch_organisation(request: ApiRequest) -> ApiResponse:
    return update(request, request.json(OrganisationPatch), get_services())


@api.delete(
    ORGANISATION,
    access=Access.SUPER_ADMIN,
    summary="Offboard: delete the organisation and all its data (confirm with its exact name)",
    body=OffboardingBody,
    response=Accepted,
    status=202,
    tags=TAGS,
)
def delete_organisation(request: ApiRequest) -> Accepted:
    return offboard(request, request.json(OffboardingBody), get_services())


@api.get(
    "v1/deletion-requests/{request_id}",
    access=Access.ADMIN,
    summary="State of a deletion request made by your organisation",
    response=DeletionRequest,
    tags=TAGS,
)
def get_deletion_request(request: ApiRequest) -> DeletionRequest:
    return deletion_request(request, get_services())
