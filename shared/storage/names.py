"""The registry of every table and queue name (ARCHITECTURE §3), and the per-organisation container name."""

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

    @property
    def org_partitioned(self) -> bool:
        """Whether every partition of this table belongs to one organisation (and offboarding erases it).

        The others are keyed by something else: `organisations` by the constant `org`, `identities` by a
        login hash (looked up before the organisation is known), `receipts` outlive the organisation.
        """
        return self not in _SHARED_TABLES


_SHARED_TABLES = frozenset({TableName.ORGANISATIONS, TableName.IDENTITIES, TableName.RECEIPTS})


class QueueName(StrEnum):
    REFRESH_TENANT = "refresh-tenant"
    COMPUTE_INSIGHTS = "compute-insights"
    RETENTION = "retention"
    DELETION = "deletion"


ORG_CONTAINER_PREFIX = "org-"


def org_container_name(org_id: str) -> str:
    """`org-<org_id>`: 36 characters for a 32-hex id, inside the 3-63 lowercase container-name rule."""
    return f"{ORG_CONTAINER_PREFIX}{org_id}"
