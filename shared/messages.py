"""Queue messages: versioned pydantic models with a `type`, validated before any work starts.

A message that fails validation raises `InvalidMessageError`; the queue function lets it fail, so the host
retries it and then moves it to `<queue>-poison` (a bad message never crash-loops and is never lost).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from shared.storage import TenantContext

# host.json `extensions.queues.maxDequeueCount`: the delivery with this dequeue count is a message's last
# before the host moves it to `<queue>-poison` (a test keeps the two in step).
MAX_DEQUEUE_COUNT = 5

OrgId = Annotated[str, Field(pattern=r"^[0-9a-f]{32}$")]
RunId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
MemberId = Annotated[str, Field(pattern=r"^[0-9a-f]{32}$")]


class InvalidMessageError(ValueError):
    """The message is not one we understand; it says why without quoting the body."""


class _Message(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: Literal[1] = 1
    org_id: OrgId

    @property
    def tenant(self) -> TenantContext:
        return TenantContext(self.org_id)


class RefreshTenant(_Message):
    """Collect one organisation's tenant; `continuation` counts re-enqueues of the same run."""

    type: Literal["refresh-tenant"] = "refresh-tenant"
    run_id: RunId
    as_of: date
    trigger: Literal["schedule", "member"]
    continuation: int = Field(default=0, ge=0, le=10_000)


class ComputeInsights(_Message):
    type: Literal["compute-insights"] = "compute-insights"
    run_id: RunId
    as_of: date


class Retention(_Message):
    type: Literal["retention"] = "retention"
    requested_on: date


class Deletion(_Message):
    """Erase an organisation (offboarding) or one member; `request_id` names the receipt."""

    type: Literal["deletion"] = "deletion"
    request_id: Annotated[str, Field(pattern=r"^[0-9a-f]{32}$")]
    subject: Literal["organisation", "member"]
    member_id: MemberId | None = None


Message = Annotated[RefreshTenant | ComputeInsights | Retention | Deletion, Field(discriminator="type")]
_MESSAGE: TypeAdapter[Message] = TypeAdapter(Message)
M = TypeVar("M", RefreshTenant, ComputeInsights, Retention, Deletion)


def is_last_delivery(dequeue_count: int | None) -> bool:
    """Whether a failure now sends the message to the poison queue instead of retrying it."""
    return (dequeue_count or 0) >= MAX_DEQUEUE_COUNT


def parse_message(raw: str | bytes, expected: type[M]) -> M:
    """Validate a queue body as exactly the `expected` message type."""
    try:
        message = _MESSAGE.validate_json(raw)
    except ValidationError as error:
        reasons = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'body'}: {e['type']}" for e in error.errors())
        raise InvalidMessageError(f"invalid {expected.__name__} message: {reasons}") from None
    if not isinstance(message, expected):
        raise InvalidMessageError(f"expected a {expected.__name__} message, got {type(message).__name__}")
    return message
