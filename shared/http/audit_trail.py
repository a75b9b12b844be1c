"""Turns a finished request into its audit rows (one for the request, one per security event)."""

from __future__ import annotations

import logging
import re

from shared.audit import ANONYMOUS, UNATTRIBUTED, AuditEntry, AuditLog, outcome_for
from shared.http.request import ApiRequest
from shared.services import Services
from shared.storage import PLATFORM, TenantContext

logger = logging.getLogger("insight365.audit")

MAX_TARGET_CHARS = 200
_UNSAFE = re.compile(r"[^A-Za-z0-9._:=,/@+-]")


def safe_text(value: str) -> str:
    """Route parameters come from the URL: keep them short and free of control or markup characters."""
    return _UNSAFE.sub("?", value)[:MAX_TARGET_CHARS]


def _target(request: ApiRequest) -> str:
    if request.audit.target is not None:
        return safe_text(request.audit.target)
    return safe_text(",".join(f"{name}={value}" for name, value in sorted(request.route_params.items())))


def record_request(
    services: Services, request: ApiRequest, action: str, status: int, *, platform: bool = False
) -> None:
    """Append the rows; a storage failure is logged, never turned into a failed response.

    Rows of a platform endpoint (`platform`) or of an operator go to the platform's log; rows of
    support access go to the organisation's log as well, and so do those a handler mirrors."""
    caller = request.caller
    member = caller.member if caller else None
    operator = caller.operator if caller else None
    support = caller.support if caller else None
    if platform or operator is not None:
        tenant = PLATFORM
    else:
        tenant = request.audit.tenant or (caller.tenant if caller else None) or UNATTRIBUTED
    actor = request.audit.actor_member_id or (
        operator.operator_id if operator else member.member_id if member else ANONYMOUS
    )
    base = AuditEntry(
        at=services.clock(),
        actor_member_id=actor,
        actor_role=operator.role if operator else member.role if member else "",
        action=action,
        target=_target(request),
        outcome=outcome_for(status),
        status=status,
        request_id=request.request_id,
        client_address=request.client_address or "",
        support_grant_id=support.grant_id if support else request.audit.support_grant_id,
    )
    entries = [base] + [
        base.model_copy(update={"action": event, "target": safe_text(target), "outcome": "security"})
        for event, target in request.audit.events
    ]
    mirror = support.tenant if support else request.audit.mirror_to
    for log_tenant in dict.fromkeys(filter(None, (tenant, mirror))):
        _append(services.org(log_tenant).audit, log_tenant, entries)


def _append(log: AuditLog, tenant: TenantContext, entries: list[AuditEntry]) -> None:
    for entry in entries:
        if entry.outcome == "security":
            logger.warning("security event", extra={"event": entry.action, "org_id": tenant.org_id})
        try:
            log.append(entry)
        except Exception:
            logger.exception("audit row not written", extra={"audit_action": entry.action})
