"""The registry of every table and queue name, and the per-organisation container name."""

from __future__ import annotations

from enum import StrEnum


class TableName(StrEnum):
    ORGANISATIONS = "organisations"
    MEMBERS = "members"
    IDENTITIES = "identities"
    INVITATIONS = "invitations"
    MFA = "mfa"
    SESSIONS = "sessions"
    INTEGRATIONS = "integrations"
    METADATA = "metadata"
    RUNS = "runs"
    INSIGHTS = "insights"
    AUDIT = "audit"
    RECEIPTS = "receipts"
    # org_id / request_id: which organisation asked for a deletion (receipts name no organisation).
    DELETION_REQUESTS = "deletionrequests"
    # Microsoft Graph's shared quotas as every worker sees them (shared.graph.quota), by Entra tenant id.
    QUOTAS = "quotas"
    # org_id / grant_id: support access an operator asked for; the platform partition indexes every grant.
    SUPPORT_ACCESS = "supportaccess"
    # request_id: erasures and offboardings (identifiers and times only) that a restore re-applies
    # (shared.lifecycle.journal); never backed up, so a restore cannot roll it back.
    DELETION_JOURNAL = "deletionjournal"
    # The operations plane (shared.operations), platform-wide: alerts from detection rules, incidents
    # (one partition each, with its timeline), capacity breaches, and the jobs' checkpoints.
    ALERTS = "alerts"
    INCIDENTS = "incidents"
    CAPACITY_BREACHES = "capacitybreaches"
    OPERATIONS_STATE = "operationsstate"
    # org_id / acceptance_id: accepted risks of assurance checks and findings (shared.insights.acceptance).
    RISK_ACCEPTANCES = "riskacceptances"

    @property
    def org_partitioned(self) -> bool:
        """Whether every partition of this table belongs to one organisation (and offboarding erases it).

        The others are keyed by something else: `organisations` by the constant `org`, `identities` by a
        login hash (looked up before the organisation is known), `receipts` outlive the organisation,
        `quotas` holds the whole fleet's Microsoft Graph quotas, the deletion journal outlives what it
        names.
        """
        return self not in _SHARED_TABLES


_SHARED_TABLES = frozenset(
    {
        TableName.ORGANISATIONS,
        TableName.IDENTITIES,
        TableName.RECEIPTS,
        TableName.QUOTAS,
        TableName.DELETION_JOURNAL,
        TableName.ALERTS,
        TableName.INCIDENTS,
        TableName.CAPACITY_BREACHES,
        TableName.OPERATIONS_STATE,
    }
)


class QueueName(StrEnum):
    REFRESH_TENANT = "refresh-tenant"
    COMPUTE_INSIGHTS = "compute-insights"
    RETENTION = "retention"
    DELETION = "deletion"


ORG_CONTAINER_PREFIX = "org-"


def org_container_name(org_id: str) -> str:
    """`org-<org_id>`: 36 characters for a 32-hex id, inside the 3-63 lowercase container-name rule."""
    return f"{ORG_CONTAINER_PREFIX}{org_id}"
