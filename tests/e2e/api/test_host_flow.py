"""Through the local Functions host over HTTP: sign up, enrol TOTP, open a session, read /me; and the
demo seeding + `dev.login` against the same running host."""

from __future__ import annotations

import base64
import json
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pyotp
import pytest

from dev.host import RunningHost, run_host_in_thread
from dev.login import login
from dev.oidc import RunningIssuer, start_issuer
from dev.seed import DEMO_MEMBERS, seed_demo
from shared.mfa import MfaRecord
from shared.secrets import LocalSecretStore
from shared.services import Services, build_services, install_services
from shared.settings import load_settings
from shared.storage import OrgTable, StorageClients, TableName, TenantContext
from tests.conftest import TEST_SETTINGS

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def stack(
    clients: StorageClients, storage_connection_string: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[RunningHost, RunningIssuer, LocalSecretStore, Path]]:
    folder = tmp_path_factory.mktemp("e2e")
    store = LocalSecretStore(folder / "secrets.json")
    store.set("mfa-key-1", base64.b64encode(secrets.token_bytes(32)).decode())
    with start_issuer() as issuer:
        settings = {
            **TEST_SETTINGS,
            "AzureWebJobsStorage": storage_connection_string,
            "INSIGHT365_OIDC_ISSUER": issuer.issuer_url,
            "INSIGHT365_LOCAL_SECRETS_PATH": str(folder / "secrets.json"),
            # The app's timers need their schedules (yearly here: they play no part in this test).
            "INSIGHT365_REFRESH_SCHEDULE": "0 0 0 1 1 *",
            "INSIGHT365_RETENTION_SCHEDULE": "0 0 0 1 1 *",
        }
        previous = install_services(build_services(load_settings(settings)))
        try:
            with run_host_in_thread(REPO, settings) as host:
                yield host, issuer, store, folder
        finally:
            install_services(previous)


def test_sign_up_enrol_open_a_session_and_read_me(stack) -> None:
    host, issuer, _, _ = stack
    token = issuer.issuer.mint_access_token(subject=secrets.token_hex(8), email="founder@e2e.example")
    bearer = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=host.base_url + "/api/v1", timeout=10, trust_env=False) as client:
        signed_up = client.post(
            "/signup",
            headers=bearer,
            json={"organisation_name": "E2E Ltd", "first_name": "E", "last_name": "Two"},
        )
        assert signed_up.status_code == 201, signed_up.text
        assert signed_up.headers["Cache-Control"] == "no-store"
        enrolment = client.post("/me/mfa/totp", headers=bearer)
        assert enrolment.status_code == 200 and enrolment.json()["otpauth_uri"].startswith("otpauth://totp/")
        totp = pyotp.TOTP(enrolment.json()["secret"])
        assert (
            client.post("/me/mfa/totp/confirm", headers=bearer, json={"code": totp.now()}).status_code == 200
        )
        # The confirmation used this time-step; the next step's code is within the drift window.
        opened = client.post("/session", headers=bearer, json={"code": totp.at(time.time() + 30)})
        assert opened.status_code == 201, opened.text
        me = client.get("/me", headers={**bearer, "X-Session": opened.json()["session_token"]})
        assert me.status_code == 200
        assert (me.json()["email"], me.json()["role"]) == ("founder@e2e.example", "super_admin")
        assert client.get("/me", headers=bearer).status_code == 401


def test_demo_seed_is_idempotent_and_dev_login_signs_in(stack, storage_connection_string: str) -> None:
    connection = storage_connection_string
    host, issuer, store, folder = stack
    services = build_services(load_settings(TEST_SETTINGS | {"AzureWebJobsStorage": connection}))
    demo_file = folder / "demo-members.json"
    first = seed_demo(services, store, issuer_url=issuer.issuer_url, demo_file=demo_file)
    assert seed_demo(services, store, issuer_url=issuer.issuer_url, demo_file=demo_file) == first
    for email, role, _, _ in DEMO_MEMBERS:
        token, session = login(email, api=host.base_url, issuer=issuer.issuer_url, demo_file=demo_file)
        me = httpx.get(
            f"{host.base_url}/api/v1/me",
            headers={"Authorization": f"Bearer {token}", "X-Session": session},
            timeout=10,
            trust_env=False,
        )
        assert me.status_code == 200 and me.json()["role"] == role
        assert me.json()["consents"]


@dataclass
class Demo:
    services: Services
    tenant: TenantContext
    demo_file: Path

    def member_id(self, email: str) -> str:
        return str(json.loads(self.demo_file.read_text())[email]["member_id"])

    def mfa(self, email: str) -> MfaRecord:
        table = OrgTable(self.services.storage, self.tenant, TableName.MFA, tokens=self.services.page_signer)
        return MfaRecord.model_validate_json(table.get(self.member_id(email)).properties["document"])


def _seeded(stack, storage_connection_string: str) -> Demo:
    _, issuer, store, folder = stack
    services = build_services(
        load_settings(TEST_SETTINGS | {"AzureWebJobsStorage": storage_connection_string})
    )
    demo_file = folder / "demo-members.json"
    return Demo(
        services, seed_demo(services, store, issuer_url=issuer.issuer_url, demo_file=demo_file), demo_file
    )


def test_dev_login_signs_a_member_in_several_times_a_minute_without_locking_them(
    stack, storage_connection_string: str
) -> None:
    host, issuer, _, _ = stack
    demo = _seeded(stack, storage_connection_string)
    email = "admin@northwind.example"

    sessions = [
        login(email, api=host.base_url, issuer=issuer.issuer_url, demo_file=demo.demo_file)[1]
        for _ in range(3)
    ]

    assert len(set(sessions)) == 3
    record = demo.mfa(email)
    assert (record.failures, record.locked_until) == (0, None)


def test_dev_login_tells_a_locked_member_how_long_to_wait(stack, storage_connection_string: str) -> None:
    host, issuer, _, _ = stack
    demo = _seeded(stack, storage_connection_string)
    email = "user@northwind.example"
    bearer = {"Authorization": f"Bearer {issuer.issuer.mint_for_email(email)}"}
    for _ in range(5):
        wrong = httpx.post(
            f"{host.base_url}/api/v1/session",
            json={"code": "000000"},
            headers=bearer,
            timeout=10,
            trust_env=False,
        )
        assert wrong.status_code == 401
    locked_until = demo.mfa(email).locked_until
    assert locked_until is not None

    with pytest.raises(SystemExit, match=r"locked out of TOTP .* try again in \d+ s"):
        login(email, api=host.base_url, issuer=issuer.issuer_url, demo_file=demo.demo_file)
    assert demo.mfa(email).locked_until == locked_until
