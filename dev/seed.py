"""Demo data for `make run`: the organisation "Northwind Traders (demo)" with one member per role.

Each member has a confirmed TOTP secret and a recorded consent, and is bound to the local issuer's
subject for their email (`dev.oidc.subject_for_email`), so `python -m dev.login <email>` can sign in.
The TOTP secrets are written to `.local/demo-members.json` (mode 0600; development only). Idempotent:
run it on every start; members that exist (and whose secret is on file) are left as they are.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from datetime import datetime
from pathlib import Path

from dev.oidc.issuer import subject_for_email
from shared.identity import totp
from shared.identity.secret_box import SecretBox
from shared.identity.tokens import identity_key
from shared.members import (
    PRIVACY_NOTICE_VERSION,
    Consent,
    IdentityBinding,
    IdentityIndex,
    Member,
    MemberRepository,
    new_member_id,
)
from shared.mfa import MfaRecord
from shared.organisations import Organisation, OrganisationRepository
from shared.roles import Role
from shared.secrets import SecretNotFoundError, SecretStore
from shared.services import Services
from shared.storage import OrgContainer, OrgTable, TableName, TenantContext

DEMO_ORGANISATION = "Northwind Traders (demo)"
DEMO_MEMBERS: tuple[tuple[str, Role, str, str], ...] = (
    ("super@northwind.example", "super_admin", "Sam", "Super"),
    ("admin@northwind.example", "admin", "Alex", "Admin"),
    ("user@northwind.example", "user", "Una", "User"),
)
DEMO_FILE = Path(".local/demo-members.json")


def ensure_mfa_keys(services: Services, secret_store: SecretStore) -> SecretBox:
    """The MFA encryption keys, created in the (local) secret store if missing."""
    keys: dict[str, bytes] = {}
    for key_id in services.settings.mfa_key_ids:
        try:
            keys[key_id] = base64.b64decode(secret_store.get(key_id))
        except SecretNotFoundError:
            keys[key_id] = secrets.token_bytes(32)
            secret_store.set(key_id, base64.b64encode(keys[key_id]).decode())
    current, *previous = services.settings.mfa_key_ids
    return SecretBox(current, keys[current], previous_keys={key_id: keys[key_id] for key_id in previous})


def _read(path: Path) -> dict[str, dict[str, str]]:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def _write(path: Path, data: dict[str, dict[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        json.dump(data, file, indent=2)


def _organisation(services: Services, index: IdentityIndex, issuer_url: str, now: datetime) -> TenantContext:
    founder = index.find(identity_key(issuer_url, subject_for_email(DEMO_MEMBERS[0][0])))
    if founder is not None:
        return founder.tenant
    tenant = TenantContext.new_organisation()
    OrganisationRepository(services.storage, services.page_signer).create(
        Organisation(org_id=tenant.org_id, name=DEMO_ORGANISATION, created_at=now)
    )
    OrgContainer(services.storage, tenant).create()
    return tenant


def seed_demo(
    services: Services, secret_store: SecretStore, *, issuer_url: str, demo_file: Path = DEMO_FILE
) -> TenantContext:
    """Create (or complete) the demo organisation; returns its tenant context."""
    box = ensure_mfa_keys(services, secret_store)
    now = services.clock()
    index = IdentityIndex(services.storage, services.page_signer)
    tenant = _organisation(services, index, issuer_url, now)
    members = MemberRepository(services.storage, tenant, services.page_signer)
    mfa = OrgTable(services.storage, tenant, TableName.MFA, tokens=services.page_signer)
    on_file = _read(demo_file)
    for email, role, first_name, last_name in DEMO_MEMBERS:
        key = identity_key(issuer_url, subject_for_email(email))
        binding = index.find(key)
        if binding is not None and email in on_file and members.find(binding.member_id) is not None:
            continue
        if binding is None or members.find(binding.member_id) is None:
            consent = Consent(version=PRIVACY_NOTICE_VERSION, accepted_at=now)
            member = members.create(
                Member(
                    member_id=new_member_id(),
                    first_name=first_name,
                    last_name=last_name,
                    email=email,
                    role=role,
                    created_at=now,
                    consents=[consent],
                )
            )
            index.unbind(key)
            binding = IdentityBinding(org_id=tenant.org_id, member_id=member.member_id)
            index.bind(key, binding)
        secret = totp.new_secret()
        sealed = box.encrypt(secret, org_id=tenant.org_id, member_id=binding.member_id)
        mfa.upsert(
            binding.member_id, {"document": MfaRecord(sealed_secret=sealed, confirmed=True).model_dump_json()}
        )
        on_file[email] = {"member_id": binding.member_id, "totp_secret": secret}
    _write(demo_file, on_file)
    return tenant
