"""The stack every customer journey walks through, as `make run` assembles it: Azurite, the local OpenID
Connect issuer, the Graph simulator and the real app on the local Functions host.

One stack serves the whole `tests/journeys` package; each journey isolates itself by signing up an
organisation of its own (`stack.sign_up()`), exactly as a new customer does: a verified identity from the
issuer → `POST /signup` → TOTP enrolment → a session. Nothing is seeded behind the API's back.
"""

from __future__ import annotations

import base64
import secrets
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pyotp
import pytest

from dev.azurite import Azurite
from dev.graph_sim import RunningSimulator, SimulatorConfig, start_simulator
from dev.host import RunningHost, run_host_in_thread
from dev.oidc import RunningIssuer, start_issuer
from dev.oidc.issuer import subject_for_email
from shared.secrets import LocalSecretStore
from shared.services import Services, build_services, install_services
from shared.settings import load_settings
from tests.conftest import TEST_SETTINGS

REPO = Path(__file__).resolve().parents[2]
# The simulator's app registration: a connection with this client id and secret is the "good" one.
GRAPH_CLIENT_ID = "0b3e6d1c-2222-4000-a000-00000000c0de"
# Insight365's support operator in the stack's settings (by the issuer's `sub` for this address).
OPERATOR_EMAIL = "support-operator@insight365.example"
TERMINAL_RUN_STATES = ("published", "failed")


@dataclass
class Person:
    """Someone with a verified identity at the issuer, signed in to the API once MFA is done."""

    stack: Stack
    email: str
    token: str
    totp_secret: str | None = None
    session: str | None = None
    recovery_codes: list[str] = field(default_factory=list)
    _last_step: int = -1

    @property
    def headers(self) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}"}
        if self.session is not None:
            headers["X-Session"] = self.session
        return headers

    def next_code(self) -> str:
        """A TOTP code never used before: codes work once, and the API accepts one step of drift, so a
        second code within the same 30 s is the next step's."""
        assert self.totp_secret is not None, "enrol TOTP first"
        step = max(int(time.time()) // 30, self._last_step + 1)
        if step > int(time.time()) // 30 + 1:  # two codes already spent in this window: wait
            time.sleep(30 - time.time() % 30 + 0.1)  # `step` is then the next step's, still unused
        self._last_step = step
        return pyotp.TOTP(self.totp_secret).at(step * 30)

    def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = self.headers | kwargs.pop("headers", {})
        return self.stack.call(method, path, headers=headers, **kwargs)

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.call("GET", path, **kwargs)

    def enrol_totp(self, plane: str = "") -> None:
        """TOTP enrolment as a member, or as an operator with `plane="/platform"`."""
        mfa = f"{plane}/mfa/totp" if plane else "/me/mfa/totp"
        started = self.call("POST", mfa)
        assert started.status_code in (200, 201), started.text
        self.totp_secret = started.json()["secret"]
        confirmed = self.call("POST", f"{mfa}/confirm", json={"code": self.next_code()})
        assert confirmed.status_code in (200, 201), confirmed.text
        self.recovery_codes = confirmed.json()["recovery_codes"]

    def open_session(self, plane: str = "") -> httpx.Response:
        self.session = None
        opened = self.call("POST", f"{plane}/session", json={"code": self.next_code()})
        if opened.status_code == 201:
            self.session = opened.json()["session_token"]
        return opened


@dataclass
class Stack:
    host: RunningHost
    simulator: RunningSimulator
    issuer: RunningIssuer
    services: Services
    secrets: LocalSecretStore
    graph_secret: str
    client: httpx.Client
    operators: dict[str, Person] = field(default_factory=dict)

    def operator(self) -> Person:
        """The stack's platform operator: TOTP enrolled (once) at the platform, with a platform session."""
        person = self.operators.get(OPERATOR_EMAIL)
        if person is None:
            person = self.operators[OPERATOR_EMAIL] = self.person(OPERATOR_EMAIL)
            person.enrol_totp("/platform")
        opened = person.open_session("/platform")
        assert opened.status_code == 201, opened.text
        return person

    @property
    def api(self) -> str:
        return f"{self.host.base_url}/api/v1"

    def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return self.client.request(method, f"{self.api}{path}", **kwargs)

    def person(self, email: str | None = None) -> Person:
        """A verified identity at the issuer (no membership yet)."""
        email = email or f"journey-{uuid.uuid4().hex[:10]}@customer.example"
        issued = self.client.post(f"{self.issuer.issuer_url}/dev/token", json={"email": email})
        issued.raise_for_status()
        return Person(stack=self, email=email, token=issued.json()["access_token"])

    def sign_up(self, organisation_name: str | None = None) -> Person:
        """A brand-new customer: identity → sign-up → TOTP enrolment → session. Returns its super admin."""
        founder = self.person()
        signed_up = founder.call(
            "POST",
            "/signup",
            json={
                "organisation_name": organisation_name or f"Journey {uuid.uuid4().hex[:6]}",
                "first_name": "Ada",
                "last_name": "Founder",
            },
        )
        assert signed_up.status_code == 201, signed_up.text
        founder.enrol_totp()
        opened = founder.open_session()
        assert opened.status_code == 201, opened.text
        return founder

    def join(self, inviter: Person, role: str, email: str | None = None) -> Person:
        """Someone `inviter` invites: accepts with the code, enrols TOTP and opens a session."""
        person = self.person(email)
        invited = inviter.call(
            "POST",
            "/members",
            json={"email": person.email, "role": role, "first_name": "Nia", "last_name": "Joiner"},
        )
        assert invited.status_code == 201, invited.text
        accepted = person.call("POST", "/invitations/accept", json={"code": invited.json()["code"]})
        assert accepted.status_code == 201, accepted.text
        person.enrol_totp()
        opened = person.open_session()
        assert opened.status_code == 201, opened.text
        return person

    def connect_good_tenant(self, admin: Person) -> httpx.Response:
        return admin.call(
            "PUT",
            "/integrations/m365",
            json={
                "tenant_id": self.simulator.tenant.spec.tenant_id,
                "client_id": GRAPH_CLIENT_ID,
                "client_secret": self.graph_secret,
            },
        )

    def wait_for_run(self, person: Person, run_id: str, timeout: float = 180) -> dict[str, Any]:
        """Poll the run as a customer's screen would, until it is published or failed."""
        deadline = time.monotonic() + timeout
        body: dict[str, Any] = {}
        while time.monotonic() < deadline:
            response = person.get(f"/runs/{run_id}")
            assert response.status_code == 200, response.text
            body = response.json()
            if body["state"] in TERMINAL_RUN_STATES:
                return body
            time.sleep(0.5)
        raise AssertionError(f"run {run_id} did not finish within {timeout} s: {body}")


@pytest.fixture(scope="package")
def journey_storage() -> Iterator[str]:
    """The journeys' own Azurite, as a customer's deployment has its own storage account. The rest of the
    suite shares the session's Azurite and leaves fleet-wide rows behind (alerts and detection checkpoints
    written on a fake clock, queue messages nobody processed) that this stack's host would pick up."""
    with Azurite() as emulator:
        yield emulator.connection_string


@pytest.fixture(scope="package")
def stack(journey_storage: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    folder = tmp_path_factory.mktemp("journeys")
    graph_secret = secrets.token_urlsafe(16)
    config = SimulatorConfig(
        accounts=300,
        seed=11,
        as_of=datetime.now(UTC).date(),
        client_secret=graph_secret,
        rightsizing_plants=True,
    )
    with start_issuer() as issuer, start_simulator(config) as simulator:
        settings = {
            **TEST_SETTINGS,
            "AzureWebJobsStorage": journey_storage,
            "INSIGHT365_OIDC_ISSUER": issuer.issuer_url,
            "INSIGHT365_GRAPH_BASE_URL": simulator.graph_url,
            "INSIGHT365_GRAPH_AUTHORITY": simulator.base_url,
            "INSIGHT365_LOCAL_SECRETS_PATH": str(folder / "secrets.json"),
            # Journeys start their refreshes themselves; the timers never fire on their own.
            "INSIGHT365_REFRESH_SCHEDULE": "0 0 0 1 1 *",
            "INSIGHT365_RETENTION_SCHEDULE": "0 0 0 1 1 *",
            "INSIGHT365_PLATFORM_OPERATORS": f"{subject_for_email(OPERATOR_EMAIL)}:operator",
        }
        services = build_services(load_settings(settings))
        previous = install_services(services)
        store = LocalSecretStore(folder / "secrets.json")
        store.set("mfa-key-1", base64.b64encode(secrets.token_bytes(32)).decode())
        try:
            with (
                run_host_in_thread(REPO, settings) as host,
                httpx.Client(timeout=30, trust_env=False) as client,
            ):
                yield Stack(host, simulator, issuer, services, store, graph_secret, client)
        finally:
            install_services(previous)
