"""Lifecycle fixtures: services on the session's Azurite, and a fully populated organisation."""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from shared.auth.sessions import SessionStore
from shared.integrations import IntegrationRepository, M365Integration, secret_name_for
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
from shared.organisations import Organisation, OrganisationRepository, RetentionSettings
from shared.runs import RunRecord, RunRepository
from shared.secrets import SecretStore
from shared.services import Services
from shared.settings import load_settings
from shared.storage import (
    OrgContainer,
    OrgTable,
    PageTokenSigner,
    StorageClients,
    TableName,
    TenantContext,
    compose_key,
)

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)


@pytest.fixture
def services(clients: StorageClients, tokens: PageTokenSigner, tmp_path: Path) -> Services:
    """Services with the clock at `NOW` and a local secret store of this test's own."""
    environ = {**os.environ, "INSIGHT365_LOCAL_SECRETS_PATH": str(tmp_path / "secrets.json")}
    return Services(settings=load_settings(environ), storage=clients, page_signer=tokens, clock=lambda: NOW)


@pytest.fixture
def secrets(services: Services) -> SecretStore:
    return services.secrets


@dataclass
class Person:
    member_id: str
    first_name: str
    last_name: str
    email: str
    phone: str
    identity_key: str

    @property
    def personal_values(self) -> list[str]:
        return [self.email, self.first_name, self.last_name, self.phone]


@dataclass
class SeededOrg:
    tenant: TenantContext
    people: list[Person]
    blobs: int = 0
    rows: dict[str, int] = field(default_factory=dict)


def audit_row(
    services: Services, tenant: TenantContext, at: datetime, actor: str, target: str, **extra: Any
) -> str:
    table = OrgTable(
        services.storage, tenant, TableName.AUDIT, tokens=services.page_signer, partition_suffix=f"{at:%Y%m}"
    )
    inverted = f"{10**13 - int(at.timestamp() * 1000):013d}"
    row_key = f"{inverted}|{uuid.uuid4().hex}"
    properties = {
        "at": at.isoformat(),
        "actor_member_id": actor,
        "actor_role": "admin",
        "action": "members.update",
        "target": target,
        "outcome": "success",
        "status": 200,
        "request_id": uuid.uuid4().hex,
        "client_address": "203.0.113.7",
        **extra,
    }
    table.insert(row_key, properties)
    return row_key


def _person(tag: str) -> Person:
    unique = uuid.uuid4().hex[:6]
    return Person(
        member_id=new_member_id(),
        first_name=f"Zelda{tag}{unique}",
        last_name=f"Quillfeather{tag}{unique}",
        email=f"zelda.{tag}.{unique}@example.test",
        phone=f"+44 7700 9{int(unique, 16) % 100000:05d}",
        identity_key=hashlib.sha256(f"issuer|{unique}{tag}".encode()).hexdigest(),
    )


def seed_organisation(services: Services, secrets: SecretStore, *, now: datetime = NOW) -> SeededOrg:
    """An organisation with something in every table and its container; counts what it wrote."""
    tenant = TenantContext.new_organisation()
    storage, tokens = services.storage, services.page_signer
    OrganisationRepository(storage, tokens).create(
        Organisation(org_id=tenant.org_id, name="Acme (test)", created_at=now, retention=RetentionSettings())
    )
    people = [_person("a"), _person("b")]
    members = MemberRepository(storage, tenant, tokens)
    sessions = SessionStore(storage, tenant, tokens)
    for person in people:
        members.create(
            Member(
                member_id=person.member_id,
                first_name=person.first_name,
                last_name=person.last_name,
                email=person.email,
                phone=person.phone,
                role="admin",
                created_at=now - timedelta(days=10),
                consents=[{"version": "2026-01", "accepted_at": now - timedelta(days=10)}],
            )
        )
        IdentityIndex(storage, tokens).bind(
            person.identity_key, IdentityBinding(org_id=tenant.org_id, member_id=person.member_id)
        )
        OrgTable(storage, tenant, TableName.MFA, tokens=tokens).insert(
            person.member_id,
            {
                "document": MfaRecord(
                    sealed_secret="sealed-" + uuid.uuid4().hex, confirmed=True, recovery_hashes=["h1", "h2"]
                ).model_dump_json()
            },
        )
        sessions.open(person.member_id, now - timedelta(minutes=5))
        InvitationRepository(storage, tenant, tokens).save(
            Invitation(
                email=person.email,
                role="user",
                first_name=person.first_name,
                last_name=person.last_name,
                invited_by=people[0].member_id if person is people[1] else people[1].member_id,
                created_at=now - timedelta(days=1),
                expires_at=now + timedelta(days=6),
            )
        )
    first, second = people
    # Audit over three months: the first member acts, the second acts on the first.
    for months_back in (0, 1, 14):
        at = now - timedelta(days=30 * months_back)
        audit_row(services, tenant, at, first.member_id, f"members/{second.member_id}")
        audit_row(
            services,
            tenant,
            at,
            second.member_id,
            f"members/{first.member_id}",
            detail=f"invited {first.email}",
        )
    integration = M365Integration(
        tenant_id=str(uuid.uuid4()),
        client_id=str(uuid.uuid4()),
        secret_name=secret_name_for(tenant),
        connected_at=now,
    )
    IntegrationRepository(storage, tenant, tokens).save(integration)
    secrets.set(secret_name_for(tenant), "client-secret-value")
    MetadataRepository(storage, tenant, tokens).save_prices(Prices())
    runs = RunRepository(storage, tenant, tokens)
    as_of = now.date() - timedelta(days=1)
    runs.create_if_absent(
        RunRecord(
            run_id="daily-1",
            as_of=as_of,
            trigger="schedule",
            state="published",
            created_at=now,
            updated_at=now,
        )
    )
    insights = OrgTable(storage, tenant, TableName.INSIGHTS, tokens=tokens)
    insights.insert(compose_key("utilisation", as_of.isoformat(), "daily-1", "summary"), {"document": "{}"})
    insights.insert("current", {"document": json.dumps({"run_id": "daily-1", "as_of": as_of.isoformat()})})
    container = OrgContainer(storage, tenant)
    container.create()
    for name in (
        "raw/x/daily-1/users.jsonl.gz",
        "raw/x/daily-1/manifest.json",
        "insights/x/daily-1/reclaim.jsonl.gz",
    ):
        container.write_bytes(name.replace("x", as_of.isoformat()), b"data")
    return SeededOrg(tenant=tenant, people=people, blobs=3)


def all_rows(clients: StorageClients) -> Iterator[tuple[TableName, dict[str, Any]]]:
    for table in TableName:
        for row in clients.table_client(table).list_entities():
            yield table, dict(row)


def org_footprint(clients: StorageClients, tenant: TenantContext) -> dict[str, int]:
    """Rows per table and blobs that mention the organisation anywhere."""
    counts: dict[str, int] = {}
    for table, row in all_rows(clients):
        if table is TableName.DELETION_JOURNAL:
            continue  # the deletion's own record, ids and times only, so that no restore undoes it
        if tenant.org_id in json.dumps(row, default=str):
            counts[table.value] = counts.get(table.value, 0) + 1
    containers = [c.name for c in clients.blob.list_containers() if tenant.org_id in c.name]
    if containers:
        counts["blobs"] = sum(1 for _ in clients.container_client(containers[0]).list_blobs())
        counts["containers"] = len(containers)
    return counts


def day(value: date) -> str:
    return value.isoformat()
