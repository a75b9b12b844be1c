"""The caller's organisation: settings, export, offboarding, the state of deletion requests, and
deletion receipts (read by id and secret, after the organisation or the member is gone)."""

from __future__ import annotations

import azure.functions as func

from shared.api.organisation import (
    EXPORT_MEDIA_TYPE,
    OffboardingBody,
    OrganisationPatch,
    deletion_request,
    export,
    offboard,
    show,
    update,
)
from shared.api.receipts import read_receipt
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


@api.get(
    f"{ORGANISATION}/export",
    access=Access.SUPER_ADMIN,
    summary="Everything the organisation may take with it: members, settings, runs, insights, reports "
    "and audit, as one gzipped JSON Lines download",
    media_types=(EXPORT_MEDIA_TYPE,),
    tags=TAGS,
)
def get_organisation_export(request: ApiRequest) -> ApiResponse:
    return export(request, get_services())


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


@api.get(
    "v1/deletion-receipts/{request_id}",
    access=Access.ANONYMOUS,
    summary="A deletion receipt, read with the secret shown when the deletion was requested "
    "(header X-Receipt-Secret); 404 for any unknown id or wrong secret",
    response=DeletionRequest,
    tags=TAGS,
)
def get_deletion_receipt(request: ApiRequest) -> DeletionRequest:
    return read_receipt(request, get_services())
