"""The request a route handler sees: plain data, independent of the Functions runtime."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from shared.auth.caller import Caller
from shared.http.problems import ApiError, bad_request, unauthenticated, unsupported_media_type
from shared.members import Member
from shared.platform.operators import Operator
from shared.roles import Role
from shared.storage import TenantContext

JSON_MEDIA_TYPE = "application/json"


class RequestModel(BaseModel):
    """Base of every request body: unknown fields are refused rather than silently dropped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


BodyT = TypeVar("BodyT", bound=BaseModel)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def is_json_media_type(content_type: str | None) -> bool:
    return (content_type or "").split(";", 1)[0].strip().lower() == JSON_MEDIA_TYPE


def validation_error(error: ValidationError, what: str) -> ApiError:
    return ApiError(
        422,
        "validation-error",
        f"The request {what} is invalid",
        extensions={
            # Location and reason only: echoing the input could reflect secrets into logs.
            "errors": [
                {"loc": [str(part) for part in item["loc"]], "msg": item["msg"], "type": item["type"]}
                for item in error.errors()
            ]
        },
    )


@dataclass
class AuditNote:
    """What a handler adds to the request's audit row: the target, and security events to record."""

    target: str | None = None
    events: list[tuple[str, str]] = field(default_factory=list)  # (action, target)
    # Set when the handler created the caller's organisation and membership (sign-up).
    tenant: TenantContext | None = None
    actor_member_id: str | None = None
    # Another audit log that gets the same rows: the organisation a platform action concerns, or the
    # platform for a customer's decision on support access.
    mirror_to: TenantContext | None = None
    support_grant_id: str | None = None  # the support grant the action is about

    def security_event(self, action: str, target: str) -> None:
        self.events.append((f"security.{action}", target))


@dataclass(frozen=True)
class ApiRequest:
    method: str
    path: str
    route_params: Mapping[str, str]
    query: Mapping[str, str]
    headers: Mapping[str, str]
    body: bytes
    request_id: str
    client_address: str | None
    caller: Caller | None = None
    audit: AuditNote = field(default_factory=AuditNote)

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    @property
    def verified_caller(self) -> Caller:
        if self.caller is None:
            raise unauthenticated()
        return self.caller

    @property
    def member(self) -> Member:
        """The member behind the session (member endpoints only)."""
        member = self.verified_caller.member
        if member is None:
            raise unauthenticated()
        return member

    @property
    def role(self) -> Role:
        """The customer role the caller acts with (a member's, or read-only admin under a support grant)."""
        role = self.verified_caller.role
        if role is None:
            raise unauthenticated()
        return role

    @property
    def operator(self) -> Operator:
        """The operator behind the platform session (platform endpoints only)."""
        operator = self.verified_caller.operator
        if operator is None:
            raise unauthenticated()
        return operator

    @property
    def tenant(self) -> TenantContext:
        """The caller's organisation, from the member record: never from the URL or the body."""
        tenant = self.verified_caller.tenant
        if tenant is None:
            raise unauthenticated()
        return tenant

    def query_as(self, model: type[BodyT]) -> BodyT:
        """The query string as `model` (422 when invalid)."""
        try:
            return model.model_validate(dict(self.query))
        except ValidationError as error:
            raise validation_error(error, "query") from None

    def json(self, model: type[BodyT]) -> BodyT:
        """Parse the body as JSON into `model`: 415 for another media type, 400 malformed, 422 invalid."""
        if not is_json_media_type(self.header("content-type")):
            raise unsupported_media_type()
        try:
            document = json.loads(self.body.decode("utf-8"), parse_constant=_refuse_constant)
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise bad_request("The body is not valid UTF-8 JSON.") from None
        try:
            return model.model_validate(document)
        except ValidationError as error:
            raise validation_error(error, "body") from None
