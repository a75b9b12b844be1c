"""The caller's organisation: settings (retention may only be shortened), its export, offboarding and
deletion requests."""

from __future__ import annotations

import io
from typing import Any

from pydantic import Field

from shared.api.deletion_requests import remember, state_of
from shared.api.lookup import missing, path_id
from shared.api.views import Accepted, OrganisationView
from shared.http.etags import etag_headers, require_if_match
from shared.http.problems import ApiError
from shared.http.request import ApiRequest, RequestModel
from shared.http.response import ApiResponse
from shared.lifecycle import DeletionRequest, export_organisation, request_offboarding
from shared.members import Name
from shared.organisations import Organisation, OrganisationRepository, RetentionSettings
from shared.services import Services


class RetentionPatch(RequestModel):
    raw_days: int | None = Field(default=None, ge=1, le=30)
    insights_days: int | None = Field(default=None, ge=30, le=400)
    audit_days: int | None = Field(default=None, ge=365, le=730)


class OrganisationPatch(RequestModel):
    name: Name | None = None
    retention: RetentionPatch | None = None


class OffboardingBody(RequestModel):
    confirm_name: str = Field(min_length=1, max_length=200, description="The organisation's exact name")


def _organisation(request: ApiRequest, services: Services) -> Organisation:
    return OrganisationRepository(services.storage, services.page_signer).get(request.tenant)


def _response(organisation: Organisation) -> ApiResponse:
    return ApiResponse(body=OrganisationView.of(organisation), headers=etag_headers(organisation.etag))


def show(request: ApiRequest, services: Services) -> ApiResponse:
    return _response(_organisation(request, services))


def _shortened(current: RetentionSettings, patch: RetentionPatch) -> RetentionSettings:
    changes: dict[str, Any] = patch.model_dump(exclude_none=True)
    longer = sorted(name for name, days in changes.items() if days > getattr(current, name))
    if longer:
        raise ApiError(
            422,
            "retention-lengthened",
            "Retention may only be shortened",
            f"Longer than now: {', '.join(longer)}.",
        )
    return current.model_copy(update=changes)


def update(request: ApiRequest, patch: OrganisationPatch, services: Services) -> ApiResponse:
    organisation = _organisation(request, services)
    require_if_match(request, organisation.etag)
    changes: dict[str, Any] = {}
    if patch.name is not None:
        changes["name"] = patch.name
    if patch.retention is not None:
        changes["retention"] = _shortened(organisation.retention, patch.retention)
    saved = OrganisationRepository(services.storage, services.page_signer).save(
        organisation.model_copy(update=changes)
    )
    return _response(saved)


EXPORT_MEDIA_TYPE = "application/gzip"


def export(request: ApiRequest, services: Services) -> ApiResponse:
    """The organisation's gzipped JSON Lines export, as a download. Only the compressed bytes are held."""
    organisation = _organisation(request, services)
    body = io.BytesIO()
    lines = export_organisation(services, organisation.tenant, body)
    request.audit.target = f"lines={lines}"
    filename = f"insight365-export-{services.clock():%Y-%m-%d}.jsonl.gz"
    return ApiResponse(
        body=body.getvalue(),
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        media_type=EXPORT_MEDIA_TYPE,
    )


def offboard(request: ApiRequest, body: OffboardingBody, services: Services) -> Accepted:
    organisation = _organisation(request, services)
    if body.confirm_name != organisation.name:
        raise ApiError(422, "confirmation-mismatch", "Confirm with the organisation's exact name")
    deletion = request_offboarding(services, request.tenant, requested_by=request.member.member_id)
    request.audit.target = f"request={deletion.request_id}"
    return remember(services, request.tenant, deletion)


def deletion_request(request: ApiRequest, services: Services) -> DeletionRequest:
    request_id = path_id(request, "request_id")
    state = state_of(services, request.tenant, request_id)
    if state is None:
        raise missing(request, "request_id", request_id)
    return state
