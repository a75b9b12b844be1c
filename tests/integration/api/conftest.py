"""An API wired to a private Azurite, a local OIDC issuer (both on one test-controlled clock) and the Graph
simulator, so that the connection test behind `PUT /integrations/m365` talks to a real token endpoint."""

from __future__ import annotations

import base64
import os
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from dev.graph_sim import RunningSimulator, SimulatorConfig, start_simulator
from dev.oidc import RunningIssuer, start_issuer
from shared.secrets import LocalSecretStore
from shared.services import Services, build_services, install_services
from shared.settings import get_settings
from shared.storage import StorageClients
from tests.integration.api.client import Actor, FakeClock, call

# Tokens outlive the clock moves of a whole test session (each TOTP use moves it 30 s).
_LIFETIME = timedelta(hours=6)
# Insight365's own staff in these tests, configured by setting as in production: role → `sub`.
OPERATOR_SUBJECTS = {"operator": "op-7d1f0c2a-operator", "security_officer": "op-5b9e3e41-security"}


@pytest.fixture(scope="session")
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="session")
def issuer(clock: FakeClock) -> Iterator[RunningIssuer]:
    with start_issuer(clock=clock) as running:
        yield running


@pytest.fixture(scope="session")
def graph() -> Iterator[RunningSimulator]:
    config = SimulatorConfig(accounts=20, seed=3, client_secret=secrets.token_urlsafe(16))
    with start_simulator(config) as sim:
        yield sim


def write_mfa_key(path: Path) -> None:
    LocalSecretStore(path).set("mfa-key-1", base64.b64encode(secrets.token_bytes(32)).decode())


@pytest.fixture(scope="session")
def services(
    issuer: RunningIssuer, clock: FakeClock, clients: StorageClients, storage_connection_string: str,
    graph: RunningSimulator, tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Services]:  # fmt: skip
    secrets_path = tmp_path_factory.mktemp("secrets") / "secrets.json"
    write_mfa_key(secrets_path)
    overrides = {
        "AzureWebJobsStorage": storage_connection_string,
        "INSIGHT365_OIDC_ISSUER": issuer.issuer_url,
        "INSIGHT365_LOCAL_SECRETS_PATH": str(secrets_path),
        "INSIGHT365_GRAPH_BASE_URL": graph.graph_url,
        "INSIGHT365_GRAPH_AUTHORITY": graph.base_url,
        "INSIGHT365_PLATFORM_OPERATORS": ",".join(f"{sub}:{role}" for role, sub in OPERATOR_SUBJECTS.items()),
    }
    saved = {key: os.environ.get(key) for key in overrides}
    os.environ.update(overrides)
    get_settings.cache_clear()
    built = build_services(get_settings())
    wired = Services(settings=built.settings, storage=clients, page_signer=built.page_signer, clock=clock)
    install_services(wired)
    yield wired
    install_services(None)
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    get_settings.cache_clear()


@dataclass
class Org:
    name: str
    super_admin: Actor
    admin: Actor
    user: Actor

    def by_role(self, role: str) -> Actor:
        return {"super_admin": self.super_admin, "admin": self.admin, "user": self.user}[role]


class People:
    """Creates members the way real people become members: through the API."""

    def __init__(self, issuer: RunningIssuer, clock: FakeClock) -> None:
        self.issuer = issuer
        self.clock = clock
        self._operators: dict[str, Actor] = {}

    def operator(self, role: str = "operator") -> Actor:
        """The configured operator with `role`, enrolled once and with a live platform session."""
        actor = self._operators.get(role)
        if actor is None:
            token = self.issuer.issuer.mint_access_token(
                subject=OPERATOR_SUBJECTS[role], email=f"{role}@insight365.example", lifetime=_LIFETIME
            )
            actor = self._operators[role] = Actor(email=f"{role}@insight365.example", token=token)
            enrolment = call("POST", "/api/v1/platform/mfa/totp", headers=actor.bearer)
            assert enrolment.status == 200, enrolment.body
            actor.totp_secret = enrolment.json()["secret"]
            confirmed = call(
                "POST",
                "/api/v1/platform/mfa/totp/confirm",
                headers=actor.bearer,
                body={"code": actor.code(self.clock)},
            )
            assert confirmed.status == 200, confirmed.body
            self.clock.advance(seconds=30)
        if actor.session is None or actor.call("GET", "/api/v1/platform/me").status == 401:
            opened = call(
                "POST",
                "/api/v1/platform/session",
                headers=actor.bearer,
                body={"code": actor.code(self.clock)},
            )
            assert opened.status == 201, opened.body
            actor.session, actor.member_id = opened.json()["session_token"], opened.json()["operator_id"]
            self.clock.advance(seconds=30)
        return actor

    def identity(self, email: str) -> Actor:
        subject = secrets.token_hex(8)
        token = self.issuer.issuer.mint_access_token(subject=subject, email=email, lifetime=_LIFETIME)
        return Actor(email=email, token=token)

    def enrol_and_sign_in(self, actor: Actor) -> Actor:
        enrolment = call("POST", "/api/v1/me/mfa/totp", headers=actor.bearer)
        assert enrolment.status == 200, enrolment.body
        actor.totp_secret = enrolment.json()["secret"]
        confirmed = call(
            "POST", "/api/v1/me/mfa/totp/confirm", headers=actor.bearer, body={"code": actor.code(self.clock)}
        )
        assert confirmed.status == 200, confirmed.body
        actor.recovery_codes = confirmed.json()["recovery_codes"]
        self.clock.advance(seconds=30)
        self.open_session(actor)
        return actor

    def open_session(self, actor: Actor) -> None:
        opened = call("POST", "/api/v1/session", headers=actor.bearer, body={"code": actor.code(self.clock)})
        assert opened.status == 201, opened.body
        actor.session, actor.member_id = opened.json()["session_token"], opened.json()["member_id"]
        self.clock.advance(seconds=30)

    def sign_up(self, organisation: str) -> Actor:
        actor = self.identity(f"founder-{secrets.token_hex(4)}@example.test")
        created = call(
            "POST", "/api/v1/signup", headers=actor.bearer,
            body={"organisation_name": organisation, "first_name": "Ada", "last_name": "Lovelace"},
        )  # fmt: skip
        assert created.status == 201, created.body
        return self.enrol_and_sign_in(actor)

    def invite(self, inviter: Actor, role: str) -> Actor:
        actor = self.identity(f"{role}-{secrets.token_hex(4)}@example.test")
        invited = inviter.call(
            "POST",
            "/api/v1/members",
            body={"email": actor.email, "role": role, "first_name": "Grace", "last_name": "Hopper"},
        )
        assert invited.status == 201, invited.body
        accepted = call(
            "POST", "/api/v1/invitations/accept", headers=actor.bearer, body={"code": invited.json()["code"]}
        )
        assert accepted.status == 201, accepted.body
        return self.enrol_and_sign_in(actor)

    def signed_in(self, org: Org) -> Org:
        """`org` with a live session for each of its members: a session shared by a whole test run idles
        out after 60 minutes of the test clock, which every TOTP use moves by 30 s."""
        for actor in (org.super_admin, org.admin, org.user):
            if actor.call("GET", "/api/v1/me").status == 401:
                self.open_session(actor)
        return org

    def organisation(self, name: str) -> Org:
        founder = self.sign_up(name)
        return Org(
            name=name,
            super_admin=founder,
            admin=self.invite(founder, "admin"),
            user=self.invite(founder, "user"),
        )


@pytest.fixture(scope="session")
def people(services: Services, issuer: RunningIssuer, clock: FakeClock) -> People:
    return People(issuer, clock)


@pytest.fixture(scope="session")
def contoso(people: People) -> Org:
    return people.organisation("Contoso A")


@pytest.fixture(scope="session")
def fabrikam(people: People) -> Org:
    return people.organisation("Fabrikam B")


@pytest.fixture
def org_a(contoso: Org, people: People) -> Org:
    return people.signed_in(contoso)


@pytest.fixture
def org_b(fabrikam: Org, people: People) -> Org:
    return people.signed_in(fabrikam)


MakeOrg = Callable[[str], Org]


@pytest.fixture
def fresh_org(people: People) -> MakeOrg:
    return people.organisation
