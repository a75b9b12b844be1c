"""`GET /audit`: the organisation's audit log, filtered by time, action, actor and outcome, paged."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Self

from pydantic import AwareDatetime, BaseModel, Field, field_validator, model_validator

from shared.audit import AuditEntry, AuditFilter, AuditLog, Outcome
from shared.http.request import ApiRequest, RequestModel
from shared.services import Services

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)


class AuditQuery(RequestModel):
    since: AwareDatetime | None = Field(default=None, alias="from")
    until: AwareDatetime | None = Field(default=None, alias="to")
    action: str | None = Field(default=None, max_length=200)
    actor: str | None = Field(default=None, max_length=64)
    outcome: Outcome | None = None
    page_size: int = Field(default=100, ge=1, le=500)
    continuation: str | None = Field(default=None, max_length=8192)

    @field_validator("since", "until")
    @classmethod
    def _plausible(cls, moment: datetime | None) -> datetime | None:
        if moment is not None and not EARLIEST <= moment.astimezone(UTC) < LATEST:
            raise ValueError("must be between 2000 and 2199")
        return moment

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.since is not None and self.until is not None and self.since > self.until:
            raise ValueError("`from` must not be after `to`")
        return self


class AuditPage(BaseModel):
    items: list[AuditEntry]
    continuation: str | None = None


def query_audit(request: ApiRequest, query: AuditQuery, services: Services) -> AuditPage:
    """One page; the first page fixes the window (an omitted `to` is now) and `continuation` carries it."""
    return audit_page(services.org(request.tenant).audit, query)


def audit_page(log: AuditLog, query: AuditQuery) -> AuditPage:
    """One page of `log` (an organisation's or the platform's) as `query` asks."""
    selection = AuditFilter(
        since=query.since,
        until=query.until,
        action=query.action,
        actor=query.actor,
        outcome=query.outcome,
    )
    entries, token = log.page(selection, page_size=query.page_size, continuation_token=query.continuation)
    return AuditPage(items=entries, continuation=token)
