"""Every table's owner and every blob area, in one list: what the lifecycle jobs orchestrate over.

A table missing here, or listed twice, fails `tests/unit/test_architecture_rules.py`; a table whose owner
finds less than everything of an organisation or a member fails
`tests/integration/lifecycle/test_every_table.py`.
"""

from __future__ import annotations

from shared.audit import AUDIT_OWNER
from shared.auth.sessions import SESSIONS_OWNER
from shared.graph.quota import QUOTAS_OWNER
from shared.insights.acceptance import RISK_ACCEPTANCES_OWNER
from shared.insights.store import INSIGHTS_OWNER
from shared.integrations import INTEGRATIONS_OWNER
from shared.lifecycle.journal import DELETION_JOURNAL_OWNER
from shared.lifecycle.receipts import RECEIPTS_OWNER
from shared.lifecycle.requesting import DELETION_REQUESTS_OWNER
from shared.members import IDENTITIES_OWNER, INVITATIONS_OWNER, MEMBERS_OWNER
from shared.metadata import METADATA_OWNER
from shared.mfa import MFA_OWNER
from shared.operations.alerts import ALERTS_OWNER
from shared.operations.capacity import CAPACITY_BREACHES_OWNER
from shared.operations.checkpoints import OPERATIONS_STATE_OWNER
from shared.operations.incidents import INCIDENTS_OWNER
from shared.organisations import ORGANISATIONS_OWNER
from shared.ownership import BlobArea, TableOwner
from shared.platform.support import SUPPORT_ACCESS_OWNER
from shared.runs import RUNS_OWNER
from shared.snapshot.datasets import RAW_AREA
from shared.storage import TableName

OWNERS: tuple[TableOwner, ...] = (
    ORGANISATIONS_OWNER,
    MEMBERS_OWNER,
    IDENTITIES_OWNER,
    INVITATIONS_OWNER,
    MFA_OWNER,
    SESSIONS_OWNER,
    INTEGRATIONS_OWNER,
    METADATA_OWNER,
    RUNS_OWNER,
    INSIGHTS_OWNER,
    AUDIT_OWNER,
    RECEIPTS_OWNER,
    DELETION_REQUESTS_OWNER,
    QUOTAS_OWNER,
    SUPPORT_ACCESS_OWNER,
    DELETION_JOURNAL_OWNER,
    ALERTS_OWNER,
    INCIDENTS_OWNER,
    CAPACITY_BREACHES_OWNER,
    OPERATIONS_STATE_OWNER,
    RISK_ACCEPTANCES_OWNER,
)

# The organisation's container `org-<id>`: offboarding deletes it whole, retention sweeps these folders.
BLOB_AREAS: tuple[BlobArea, ...] = (
    RAW_AREA,
    BlobArea(
        prefix="insights/",
        module="shared.insights.store",
        keeps="detail lists expire with their run (`expired_insight_runs`)",
    ),
)


def owner_of(table: TableName) -> TableOwner:
    """The table's owner; `LookupError` for a table nobody declared."""
    for owner in OWNERS:
        if owner.table is table:
            return owner
    raise LookupError(f"table {table.value} has no owner in shared.lifecycle.owners")
