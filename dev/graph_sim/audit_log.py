"""`GET /auditLogs/directoryAudits` (learn.microsoft.com/graph/api/directoryaudit-list): the events planted
in a tenant's log, filtered by `activityDateTime` (ge, le), newest first, in the documented
directoryAudit shape (learn.microsoft.com/graph/api/resources/directoryaudit)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from dev.graph_sim.odata import Clause, QueryError

JsonObject = dict[str, Any]


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def directory_audits(events: list[JsonObject], clauses: list[Clause], context: str) -> JsonObject:
    kept = events
    for c in clauses:
        if c.prop != "activityDateTime" or c.op not in ("ge", "le"):
            raise QueryError(f"Unsupported filter on property '{c.prop}'.")
        bound, after = _moment(c.value), c.op == "ge"
        kept = [
            e
            for e in kept
            if (_moment(e["activityDateTime"]) >= bound) == after or _moment(e["activityDateTime"]) == bound
        ]
    ordered = sorted(kept, key=lambda e: _moment(e["activityDateTime"]), reverse=True)
    return {"@odata.context": context, "value": ordered}


def directory_audit(
    *,
    event_id: str,
    at: datetime,
    category: str,
    activity: str,
    operation: str,
    actor_upn: str,
    actor_id: str,
    targets: list[JsonObject],
) -> JsonObject:
    """One event as Graph returns it (a user initiated it)."""
    return {
        "id": event_id,
        "category": category,
        "correlationId": event_id,
        "result": "success",
        "resultReason": "",
        "activityDisplayName": activity,
        "activityDateTime": at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "loggedByService": "Core Directory",
        "operationType": operation,
        "initiatedBy": {
            "app": None,
            "user": {"id": actor_id, "displayName": None, "userPrincipalName": actor_upn, "ipAddress": ""},
        },
        "targetResources": targets,
        "additionalDetails": [],
    }
