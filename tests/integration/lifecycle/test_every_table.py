"""A member and an organisation with a row in every table and a blob in every blob area: erasure and
offboarding leave nothing of them behind.

The tables come from `TableName` and the blob areas from `shared.lifecycle.owners.BLOB_AREAS`, so a new
table fails here until it has a seeder below (or is declared as holding nothing of an organisation, with
its owner saying why) and its owner's lifecycle operations find what the seeder wrote.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from shared.audit import AuditEntry, AuditLog
from shared.auth.sessions import SessionStore
from shared.graph.quota import QuotaGovernor
from shared.insights.acceptance import AcceptanceRepository, new_acceptance
from shared.insights.store import CURRENT
from shared.integrations import IntegrationRepository, M365Integration, secret_name_for
from shared.lifecycle import request_member_erasure, request_offboarding, run_deletion
from shared.lifecycle.owners import BLOB_AREAS, OWNERS, owner_of
from shared.members import (
    IdentityBinding,
    IdentityIndex,
    Invitation,
    InvitationRepository,
    Member,
    MemberRepository,
    new_member_id,
)
from shared.metadata import MetadataRepository, Prices
from shared.mfa import MfaRecord
from shared.organisations import Organisation, OrganisationRepository
from shared.platform.operators import Operator
from shared.platform.support import SupportGrants
from shared.runs import RunRecord, RunRepository
from shared.services import Services
from shared.storage import OrgContainer, OrgTable, StorageClients, TableName, TenantContext
from tests.integration.lifecycle.conftest import NOW, all_rows
from tests.integration.lifecycle.test_deletion import _take_deletion_message


@dataclass(frozen=True)
class Subject:
    """The organisation and the member every seeder writes for, and an address they invited."""

    tenant: TenantContext
    member: Member
    identity_key: str
    m365_tenant_id: str
    other: Member

    @property
    def member_traces(self) -> list[str]:
        member = self.member
        return [member.member_id, member.email, member.first_name, member.last_name, self.identity_key]

    @property
    def organisation_traces(self) -> list[str]:
        return [self.tenant.org_id, self.m365_tenant_id]


def _seed_organisations(services: Services, subject: Subject) -> None:
    OrganisationRepository(services.storage, services.page_signer).create(
        Organisation(org_id=subject.tenant.org_id, name="Every table (test)", created_at=NOW)
    )


def _seed_members(services: Services, subject: Subject) -> None:
    members = MemberRepository(services.storage, subject.tenant, services.page_signer)
    members.create(subject.member)
    members.create(subject.other)


def _seed_identities(services: Services, subject: Subject) -> None:
    binding = IdentityBinding(org_id=subject.tenant.org_id, member_id=subject.member.member_id)
    IdentityIndex(services.storage, services.page_signer).bind(subject.identity_key, binding)


def _seed_invitations(services: Services, subject: Subject) -> None:
    invitations = InvitationRepository(services.storage, subject.tenant, services.page_signer)
    for invited, by in ((subject.member, subject.other), (subject.other, subject.member)):
        invitations.save(
            Invitation(
                email=invited.email,
                role="user",
                first_name=invited.first_name,
                last_name=invited.last_name,
                invited_by=by.member_id,
                created_at=NOW,
                expires_at=NOW + timedelta(days=6),
            )
        )


def _seed_mfa(services: Services, subject: Subject) -> None:
    record = MfaRecord(sealed_secret="sealed-" + uuid.uuid4().hex, confirmed=True)
    table = OrgTable(services.storage, subject.tenant, TableName.MFA, tokens=services.page_signer)
    table.insert(subject.member.member_id, {"document": record.model_dump_json()})


def _seed_sessions(services: Services, subject: Subject) -> None:
    SessionStore(services.storage, subject.tenant, services.page_signer).open(subject.member.member_id, NOW)


def _seed_integrations(services: Services, subject: Subject) -> None:
    integration = M365Integration(
        tenant_id=subject.m365_tenant_id,
        client_id=str(uuid.uuid4()),
        secret_name=secret_name_for(subject.tenant),
        connected_at=NOW,
    )
    IntegrationRepository(services.storage, subject.tenant, services.page_signer).save(integration)


def _seed_metadata(services: Services, subject: Subject) -> None:
    MetadataRepository(services.storage, subject.tenant, services.page_signer).save_prices(Prices())


def _seed_runs(services: Services, subject: Subject) -> None:
    record = RunRecord(
        run_id="daily-1",
        as_of=NOW.date(),
        trigger="schedule",
        state="published",
        created_at=NOW,
        updated_at=NOW,
    )
    RunRepository(services.storage, subject.tenant, services.page_signer).create_if_absent(record)


def _seed_insights(services: Services, subject: Subject) -> None:
    table = OrgTable(services.storage, subject.tenant, TableName.INSIGHTS, tokens=services.page_signer)
    table.insert(CURRENT, {"as_of": NOW.date().isoformat(), "run_id": "daily-1"})


def _seed_audit(services: Services, subject: Subject) -> None:
    AuditLog(services.storage, subject.tenant, services.page_signer).append(
        AuditEntry(
            at=NOW,
            actor_member_id=subject.member.member_id,
            actor_role="admin",
            action="members.update",
            target=f"members/{subject.other.member_id} ({subject.member.email})",
            outcome="allowed",
            status=200,
            request_id=uuid.uuid4().hex,
            client_address="203.0.113.7",
        )
    )


def _seed_quotas(services: Services, subject: Subject) -> None:
    QuotaGovernor(services.storage, services.page_signer).record_accounts(
        str(uuid.uuid4()), subject.m365_tenant_id, 50
    )


def _seed_support_access(services: Services, subject: Subject) -> None:
    grants = SupportGrants(services.storage, services.page_signer)
    grant = grants.request(subject.tenant, Operator("0" * 31 + "1", "operator"), "help", 1, NOW)
    grants.decide(subject.tenant, grant.grant_id, approve=True, member_id=subject.member.member_id, now=NOW)


def _seed_risk_acceptances(services: Services, subject: Subject) -> None:
    acceptance = new_acceptance(
        check_id="mfa-admins",
        subject_id=None,
        reason="break-glass",
        owner="IT",
        expires_on=NOW.date() + timedelta(days=30),
        member_id=subject.member.member_id,
        now=NOW,
    )
    AcceptanceRepository(services.storage, subject.tenant, services.page_signer).create(acceptance)


Seeder = Callable[[Services, Subject], None]
# Every table: how to write the organisation's (and, where it has any, the member's) rows in it; None for
# a table that holds nothing an organisation owns (its owner says why). Receipts and the deletion
# requests and journal are written by the requests themselves.
SEEDERS: dict[TableName, Seeder | None] = {
    TableName.ORGANISATIONS: _seed_organisations,
    TableName.MEMBERS: _seed_members,
    TableName.IDENTITIES: _seed_identities,
    TableName.INVITATIONS: _seed_invitations,
    TableName.MFA: _seed_mfa,
    TableName.SESSIONS: _seed_sessions,
    TableName.INTEGRATIONS: _seed_integrations,
    TableName.METADATA: _seed_metadata,
    TableName.RUNS: _seed_runs,
    TableName.INSIGHTS: _seed_insights,
    TableName.AUDIT: _seed_audit,
    TableName.RECEIPTS: None,
    TableName.DELETION_REQUESTS: None,
    TableName.QUOTAS: _seed_quotas,
    TableName.SUPPORT_ACCESS: _seed_support_access,
    TableName.DELETION_JOURNAL: None,
    TableName.ALERTS: None,
    TableName.INCIDENTS: None,
    TableName.CAPACITY_BREACHES: None,
    TableName.OPERATIONS_STATE: None,
    TableName.RISK_ACCEPTANCES: _seed_risk_acceptances,
}
_WRITTEN_BY_REQUESTS = {TableName.RECEIPTS, TableName.DELETION_REQUESTS, TableName.DELETION_JOURNAL}


def _member(first: str) -> Member:
    unique = uuid.uuid4().hex[:8]
    return Member(
        member_id=new_member_id(),
        first_name=f"{first}{unique}",
        last_name=f"Everytable{unique}",
        email=f"{first.lower()}.{unique}@example.test",
        role="super_admin",
        created_at=NOW - timedelta(days=3),
    )


def _seeded(services: Services) -> Subject:
    subject = Subject(
        tenant=TenantContext.new_organisation(),
        member=_member("Ottoline"),
        identity_key=uuid.uuid4().hex * 2,
        m365_tenant_id=str(uuid.uuid4()),
        other=_member("Perpetua"),
    )
    for seed in SEEDERS.values():
        if seed is not None:
            seed(services, subject)
    container = OrgContainer(services.storage, subject.tenant)
    container.create()
    for area in BLOB_AREAS:
        container.write_bytes(f"{area.prefix}{NOW.date().isoformat()}/daily-1/data.json", b"{}")
    return subject


def _rows_naming(clients: StorageClients, traces: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for table, row in all_rows(clients):
        text = json.dumps(row, default=str).lower()
        if any(trace.lower() in text for trace in traces):
            found[table.value] = found.get(table.value, 0) + 1
    return found


def test_every_table_is_seeded_here_and_has_one_owner() -> None:
    assert set(SEEDERS) == set(TableName)
    assert sorted(owner.table for owner in OWNERS) == sorted(TableName)
    for table, seed in SEEDERS.items():
        owner = owner_of(table)
        if seed is None and table not in _WRITTEN_BY_REQUESTS:
            assert owner.organisation_rows is None and owner.keeps, table


def test_the_seed_writes_a_row_naming_them_in_every_seeded_table(services) -> None:
    subject = _seeded(services)

    named = _rows_naming(services.storage, subject.organisation_traces)
    seeded = {table.value for table, seed in SEEDERS.items() if seed is not None}
    assert seeded <= set(named)
    assert {area.prefix for area in BLOB_AREAS} == {
        blob.name.split("/")[0] + "/" for blob in OrgContainer(services.storage, subject.tenant).list_blobs()
    }


def test_erasure_leaves_nothing_of_the_member_in_any_table(services) -> None:
    subject = _seeded(services)
    before = _rows_naming(services.storage, subject.member_traces)
    assert {"members", "identities", "invitations", "mfa", "sessions", "audit"} <= set(before)
    assert {"supportaccess", "riskacceptances"} <= set(before)

    request = request_member_erasure(
        services, subject.tenant, subject.member.member_id, requested_by=subject.member.member_id
    )
    run_deletion(services, _take_deletion_message(services, request.request_id))

    assert _rows_naming(services.storage, subject.member_traces) == {}
    assert MemberRepository(services.storage, subject.tenant, services.page_signer).find(
        subject.other.member_id
    )


def test_offboarding_leaves_nothing_of_the_organisation_but_declared_records(services) -> None:
    subject = _seeded(services)
    request = request_offboarding(services, subject.tenant, requested_by=subject.member.member_id)

    run_deletion(services, _take_deletion_message(services, request.request_id))

    # What remains is only in tables whose owners declare they keep no organisation's data (the
    # operations plane's records by organisation id, the deletion journal's identifiers).
    declared = {owner.table.value for owner in OWNERS if owner.organisation_rows is None}
    left = _rows_naming(services.storage, subject.organisation_traces + subject.member_traces)
    assert set(left) <= declared
    assert not [c for c in services.storage.blob.list_containers() if subject.tenant.org_id in c.name]
