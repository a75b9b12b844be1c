"""RFC 9457 problem details: the one error shape the API returns, with stable `type` identifiers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict

from shared.auth.errors import (
    AccessDeniedError,
    AuthError,
    IdentityProviderUnavailableError,
    OrganisationOffboardedError,
)

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_PREFIX = "urn:insight365:problem:"


class Problem(BaseModel):
    """The body of every error response; `type` is stable, `detail` is for people, never internals."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None


class ApiError(Exception):
    """Raised anywhere below a route to answer with a problem; the adapter turns it into a response."""

    def __init__(
        self,
        status: int,
        kind: str,
        title: str,
        detail: str | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        extensions: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(title)
        self.status = status
        self.kind = kind
        self.title = title
        self.detail = detail
        self.headers = dict(headers or {})
        self.extensions = dict(extensions or {})

    def problem(self, request_id: str) -> Problem:
        return Problem(
            type=PROBLEM_TYPE_PREFIX + self.kind,
            title=self.title,
            status=self.status,
            detail=self.detail,
            instance=f"urn:insight365:request:{request_id}",
            **self.extensions,
        )


def bad_request(detail: str) -> ApiError:
    return ApiError(400, "bad-request", "The request is malformed", detail)


def not_found() -> ApiError:
    return ApiError(404, "not-found", "Not found", "No resource exists at this address.")


def method_not_allowed(allowed: list[str]) -> ApiError:
    return ApiError(405, "method-not-allowed", "Method not allowed", headers={"Allow": ", ".join(allowed)})


def payload_too_large(limit: int) -> ApiError:
    return ApiError(413, "payload-too-large", "The request body is too large", f"The limit is {limit} bytes.")


def too_large_to_store() -> ApiError:
    """A body within the byte limit whose values, as stored, exceed a storage limit (see the size bounds)."""
    detail = "A value in it is larger than can be stored."
    return ApiError(413, "payload-too-large", "The request body is too large", detail)


def unsupported_media_type() -> ApiError:
    return ApiError(
        415, "unsupported-media-type", "Unsupported media type", "Send the body as application/json."
    )


def internal_error() -> ApiError:
    return ApiError(
        500, "internal-error", "Something went wrong", "The error was logged with this request id."
    )


def unauthenticated(detail: str = "Send a valid bearer token and session.") -> ApiError:
    return ApiError(
        401,
        "unauthenticated",
        "Authentication required",
        detail,
        headers={"WWW-Authenticate": 'Bearer realm="insight365"'},
    )


def forbidden(detail: str = "Your role does not allow this.") -> ApiError:
    return ApiError(403, "forbidden", "Forbidden", detail)


def conflict(kind: str, title: str, detail: str | None = None) -> ApiError:
    return ApiError(409, kind, title, detail)


def precondition_required() -> ApiError:
    return ApiError(
        428, "precondition-required", "If-Match required", "Send the ETag you read in an If-Match header."
    )


def precondition_failed() -> ApiError:
    return ApiError(
        412, "precondition-failed", "The resource has changed", "Read it again and retry with its new ETag."
    )


def too_many_requests(kind: str, title: str, retry_after_seconds: int) -> ApiError:
    seconds = max(1, retry_after_seconds)
    return ApiError(
        429, kind, title, f"Retry after {seconds} seconds.", headers={"Retry-After": str(seconds)}
    )


def service_unavailable(kind: str, title: str) -> ApiError:
    return ApiError(503, kind, title, "Try again shortly.", headers={"Retry-After": "30"})


def organisation_offboarded() -> ApiError:
    return ApiError(
        403,
        "organisation-offboarded",
        "This organisation is being offboarded",
        "Its data is being deleted. Follow the deletion with the receipt id and secret you were given.",
    )


def refusal(error: AuthError) -> ApiError:
    """The problem that answers an authentication or authorisation refusal."""
    if isinstance(error, OrganisationOffboardedError):
        return organisation_offboarded()
    if isinstance(error, AccessDeniedError):
        return forbidden(error.detail) if error.detail else forbidden()
    if isinstance(error, IdentityProviderUnavailableError):
        return service_unavailable("identity-provider-unavailable", "Sign-in is unavailable")
    return unauthenticated(error.detail) if error.detail else unauthenticated()
