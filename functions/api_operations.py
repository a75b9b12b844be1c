"""Operators' routes of the operations plane: incidents, alerts and platform health."""

from __future__ import annotations

import azure.functions as func

from shared.http.adapter import Access, Api, ApiResponse
from shared.http.request import ApiRequest
from shared.operations import operator_api
from shared.operations.operator_api import (
    AlertList,
    IncidentDetail,
    IncidentList,
    NoteBody,
    OrganisationToldBody,
    PlatformHealth,
    StateBody,
)
from shared.services import get_services

bp = func.Blueprint()
api = Api(bp)
TAGS = ("operations",)
INCIDENT = "v1/platform/incidents/{incident_id}"


@api.get("v1/platform/incidents", access=Access.OPERATOR, summary="Incidents, open first, by priority",
         response=IncidentList, tags=TAGS)  # fmt: skip
def get_incidents(request: ApiRequest) -> IncidentList:
    return operator_api.list_incidents(get_services())


@api.get(INCIDENT, access=Access.OPERATOR, summary="One incident with its timeline (ETag)",
         response=IncidentDetail, tags=TAGS)  # fmt: skip
def get_incident(request: ApiRequest) -> ApiResponse:
    return operator_api.show_incident(request, get_services())


@api.post(f"{INCIDENT}/acknowledge", access=Access.OPERATOR,
          summary="Acknowledge (If-Match): stops escalation", response=IncidentDetail, tags=TAGS)  # fmt: skip
def post_acknowledge(request: ApiRequest) -> ApiResponse:
    return operator_api.acknowledge(request, get_services())


@api.post(f"{INCIDENT}/state", access=Access.OPERATOR,
          summary="Move to the next state (If-Match): new, triaged, contained, resolved, closed",
          body=StateBody, response=IncidentDetail, tags=TAGS)  # fmt: skip
def post_state(request: ApiRequest) -> ApiResponse:
    return operator_api.change_state(request, request.json(StateBody), get_services())


@api.post(f"{INCIDENT}/notes", access=Access.OPERATOR, summary="Add a note to the timeline",
          body=NoteBody, response=IncidentDetail, tags=TAGS)  # fmt: skip
def post_note(request: ApiRequest) -> ApiResponse:
    return operator_api.add_note(request, request.json(NoteBody), get_services())


@api.post(f"{INCIDENT}/breach", access=Access.SECURITY_OFFICER,
          summary="Flag a personal-data breach (If-Match): starts the 72-hour ICO clock",
          response=IncidentDetail, tags=TAGS)  # fmt: skip
def post_breach(request: ApiRequest) -> ApiResponse:
    return operator_api.flag_breach(request, get_services())


@api.post(f"{INCIDENT}/breach/organisations", access=Access.SECURITY_OFFICER,
          summary="Record that an organisation was told of the breach", body=OrganisationToldBody,
          response=IncidentDetail, tags=TAGS)  # fmt: skip
def post_organisation_told(request: ApiRequest) -> ApiResponse:
    return operator_api.organisation_told(request, request.json(OrganisationToldBody), get_services())


@api.post(f"{INCIDENT}/breach/ico", access=Access.SECURITY_OFFICER,
          summary="Record that the ICO was notified", response=IncidentDetail, tags=TAGS)  # fmt: skip
def post_ico_notified(request: ApiRequest) -> ApiResponse:
    return operator_api.ico_notified(request, get_services())


@api.get("v1/platform/alerts", access=Access.OPERATOR, summary="Detection rules' alerts, latest first",
         response=AlertList, tags=TAGS)  # fmt: skip
def get_alerts(request: ApiRequest) -> AlertList:
    return operator_api.list_alerts(get_services())


@api.get("v1/platform/health", access=Access.OPERATOR,
         summary="Capacity limits and the latest breaches", response=PlatformHealth, tags=TAGS)  # fmt: skip
def get_health(request: ApiRequest) -> PlatformHealth:
    return operator_api.platform_health(get_services())
