"""The audit log read as one stream of events across the whole fleet, for the detection rules.

Every organisation's partitions, the unattributed one (requests nobody could be tied to: refused
tokens, identities without a membership) and the platform's (operators) are read for the window. An
event carries only what the audit row holds: ids, the action, the target, the outcome and the client
address, never a token or code.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from shared.audit import UNATTRIBUTED, AuditEntry, AuditLog
from shared.organisations import OrganisationRepository
from shared.storage import PageTokenSigner, StorageClients, TenantContext
from shared.storage.tenant import PLATFORM


@dataclass(frozen=True, slots=True)
class AuditEvent:
    event_id: str  # the audit row, `<yyyymm>|<row key>` within the organisation's partitions
    org_id: str | None  # None: no customer's (the unattributed or the platform's partition)
    entry: AuditEntry


def fleet_tenants(clients: StorageClients, tokens: PageTokenSigner) -> list[TenantContext]:
    """Every organisation (offboarding ones too: their last requests matter), the unattributed partition
    and the platform's."""
    organisations = OrganisationRepository(clients, tokens).iter_all()
    return [UNATTRIBUTED, PLATFORM, *(organisation.tenant for organisation in organisations)]


def read_events(
    clients: StorageClients, tokens: PageTokenSigner, since: datetime, until: datetime
) -> Iterator[AuditEvent]:
    """Every audited request and security event with `since <= at < until`, organisation by organisation."""
    for tenant in fleet_tenants(clients, tokens):
        org_id = None if tenant in (UNATTRIBUTED, PLATFORM) else tenant.org_id
        for event_id, entry in AuditLog(clients, tenant, tokens).iter_events(since, until):
            yield AuditEvent(event_id=event_id, org_id=org_id, entry=entry)
