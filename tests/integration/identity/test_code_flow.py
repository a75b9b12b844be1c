"""The local identity provider end to end over HTTP, with the real app on the local Functions host:
discovery → authorize → sign-in (or sign-up) page → code → token with the PKCE verifier → the API
accepts the access token; `dev.login` signs a demo member in the same way; refresh and sign-out."""

from __future__ import annotations

import base64
import re
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pyotp
import pytest

from dev.host import RunningHost, run_host_in_thread
from dev.login import login
from dev.oidc.code_flow import AuthorizationRequest, CodeFlowClient
from dev.oidc.issuer import subject_for_email
from dev.oidc.provider import APP_REDIRECT_URI, DEMO_PASSWORD, RunningProvider, demo_accounts, start_provider
from dev.seed import DEMO_FILE, seed_demo
from dev.totp import main as dev_totp
from shared.secrets import LocalSecretStore
from shared.services import build_services, install_services
from shared.settings import load_settings
from tests.conftest import TEST_SETTINGS

REPO = Path(__file__).resolve().parents[3]
REDIRECT_URI = "http://127.0.0.1:18090/auth/callback"
POST_LOGOUT_URI = "http://127.0.0.1:18090/"


@dataclass
class Stack:
    provider: RunningProvider
    host: RunningHost
    demo_file: Path

    @property
    def api(self) -> str:
        return f"{self.host.base_url}/api/v1"

    def browser(self) -> CodeFlowClient:
        return CodeFlowClient(self.provider.issuer_url, redirect_uri=REDIRECT_URI)


@pytest.fixture(scope="module")
def stack(storage_connection_string: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    folder = tmp_path_factory.mktemp("code-flow")
    with start_provider(
        redirect_uris=[REDIRECT_URI, APP_REDIRECT_URI],  # dev.login signs in as the app under `make run`
        post_logout_redirect_uris=[POST_LOGOUT_URI],
        accounts_file=folder / "accounts.json",
        key_file=folder / "signing-key.pem",
        seed=demo_accounts(),
    ) as provider:
        settings = {
            **TEST_SETTINGS,
            "AzureWebJobsStorage": storage_connection_string,
            "INSIGHT365_OIDC_ISSUER": provider.issuer_url,
            "INSIGHT365_LOCAL_SECRETS_PATH": str(folder / "secrets.json"),
            "INSIGHT365_REFRESH_SCHEDULE": "0 0 0 1 1 *",
            "INSIGHT365_RETENTION_SCHEDULE": "0 0 0 1 1 *",
        }
        services = build_services(load_settings(settings))
        previous = install_services(services)
        store = LocalSecretStore(folder / "secrets.json")
        store.set("mfa-key-1", base64.b64encode(secrets.token_bytes(32)).decode())
        demo_file = folder / DEMO_FILE  # where dev.login and dev.totp look, relative to `folder`
        seed_demo(services, store, issuer_url=provider.issuer_url, demo_file=demo_file)
        try:
            with run_host_in_thread(REPO, settings) as host:
                yield Stack(provider, host, demo_file)
        finally:
            install_services(previous)


def test_discovery_offers_the_code_flow_with_s256_pkce_only(stack: Stack):
    with stack.browser() as browser:
        metadata = browser.metadata
    assert metadata["issuer"] == stack.provider.issuer_url
    assert metadata["response_types_supported"] == ["code"]
    assert metadata["code_challenge_methods_supported"] == ["S256"]
    for endpoint in ("authorization_endpoint", "token_endpoint", "jwks_uri", "end_session_endpoint"):
        assert metadata[endpoint].startswith(stack.provider.issuer_url + "/")


def claims_of(token: str) -> dict[str, Any]:
    claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return claims


def test_a_new_person_signs_up_and_the_api_accepts_their_token(stack: Stack):
    email = f"Founder.{secrets.token_hex(3)}@code-flow.example"
    with stack.browser() as browser, httpx.Client(base_url=stack.api, timeout=10, trust_env=False) as api:
        request = AuthorizationRequest.new()
        sign_in = browser.open(browser.authorization_url(request))
        assert sign_in.status_code == 200 and '<button type="submit">Sign in</button>' in sign_in.text
        link = re.search(r'<a href="([^"]+)">Create an account</a>', sign_in.text)
        assert link is not None
        sign_up = browser.http.get(str(sign_in.url.join(link.group(1))))
        assert '<button type="submit">Create account</button>' in sign_up.text
        fields = {
            "given_name": "Ada",
            "family_name": "Founder",
            "email": email,
            "password": "Correct-Horse-42",
        }
        code = browser.code_from(browser.submit(sign_up, fields), request)
        issued = browser.token_response(code, request.pkce.verifier)
        assert issued.status_code == 200, issued.text
        token = issued.json()["access_token"]
        id_claims = claims_of(issued.json()["id_token"])
        assert id_claims["nonce"] == request.nonce

        bearer = {"Authorization": f"Bearer {token}"}
        assert api.get("/me", headers=bearer).status_code == 401  # a valid identity, not yet a member
        signed_up = api.post(
            "/signup",
            headers=bearer,
            json={"organisation_name": "Code Flow Ltd", "first_name": "Ada", "last_name": "Founder"},
        )
        assert signed_up.status_code == 201, signed_up.text
        enrolment = api.post("/me/mfa/totp", headers=bearer)
        totp = pyotp.TOTP(enrolment.json()["secret"])
        assert api.post("/me/mfa/totp/confirm", headers=bearer, json={"code": totp.now()}).status_code == 200
        opened = api.post("/session", headers=bearer, json={"code": totp.at(time.time() + 30)})
        assert opened.status_code == 201, opened.text
        me = api.get("/me", headers=bearer | {"X-Session": opened.json()["session_token"]})
    assert me.status_code == 200
    assert (me.json()["email"], me.json()["role"]) == (email, "super_admin")
    assert claims_of(token)["sub"] == id_claims["sub"]


def test_a_forged_token_with_the_same_claims_is_refused(stack: Stack):
    """The API's acceptance above is the provider's signature, not the claims' shape."""
    with stack.browser() as browser:
        token = browser.tokens("user@northwind.example", DEMO_PASSWORD)["access_token"]
    header, payload, _ = token.split(".")
    forged = f"{header}.{payload}.{base64.urlsafe_b64encode(secrets.token_bytes(256)).rstrip(b'=').decode()}"
    with httpx.Client(base_url=stack.api, timeout=10, trust_env=False) as api:
        assert (
            api.post(
                "/session", headers={"Authorization": f"Bearer {forged}"}, json={"code": "000000"}
            ).status_code
            == 401
        )


def test_a_demo_member_signs_in_with_the_documented_password(stack: Stack):
    with stack.browser() as browser:
        issued = browser.tokens("admin@northwind.example", DEMO_PASSWORD)
    claims = claims_of(issued["access_token"])
    # The subject the demo organisation's member is bound to.
    assert claims["sub"] == subject_for_email("admin@northwind.example")
    assert claims["aud"] == "api://insight365-local" and claims["scp"] == "access_as_user"
    assert (claims["email"], claims["email_verified"], claims["given_name"]) == (
        "admin@northwind.example",
        True,
        "Alex",
    )
    assert jwt.get_unverified_header(issued["access_token"])["alg"] == "RS256"


def test_dev_login_drives_the_code_flow_and_opens_a_session(stack: Stack):
    token, session = login(
        "admin@northwind.example",
        api=stack.host.base_url,
        issuer=stack.provider.issuer_url,
        demo_file=stack.demo_file,
    )
    assert claims_of(token)["iss"] == stack.provider.issuer_url
    with httpx.Client(base_url=stack.api, timeout=10, trust_env=False) as api:
        me = api.get("/me", headers={"Authorization": f"Bearer {token}", "X-Session": session})
    assert me.status_code == 200
    assert (me.json()["email"], me.json()["role"]) == ("admin@northwind.example", "admin")


def test_dev_totp_prints_a_code_the_api_accepts_and_dev_login_never_reuses(
    stack: Stack, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    monkeypatch.chdir(stack.demo_file.parents[1])
    assert dev_totp(["user@northwind.example"]) == 0
    code = capsys.readouterr().out.strip()
    assert re.fullmatch(r"\d{6}", code)
    with stack.browser() as browser, httpx.Client(base_url=stack.api, timeout=10, trust_env=False) as api:
        token = browser.tokens("user@northwind.example", DEMO_PASSWORD)["access_token"]
        opened = api.post("/session", headers={"Authorization": f"Bearer {token}"}, json={"code": code})
    assert opened.status_code == 201, opened.text
    # dev.login, right after, takes the next unused step rather than the code just typed in.
    _, session = login(
        "user@northwind.example",
        api=stack.host.base_url,
        issuer=stack.provider.issuer_url,
        demo_file=stack.demo_file,
    )
    assert session


def test_a_refresh_token_gives_a_new_access_token_once(stack: Stack):
    with stack.browser() as browser:
        first = browser.tokens("user@northwind.example", DEMO_PASSWORD)

        def refresh(refresh_token: str) -> httpx.Response:
            return browser.http.post(
                browser.metadata["token_endpoint"],
                data={
                    "grant_type": "refresh_token",
                    "refresh_token": refresh_token,
                    "client_id": browser.client_id,
                },
            )

        renewed = refresh(first["refresh_token"])
        assert renewed.status_code == 200
        assert claims_of(renewed.json()["access_token"])["sub"] == claims_of(first["access_token"])["sub"]
        # Rotation: the used refresh token is spent.
        assert refresh(first["refresh_token"]).json()["error"] == "invalid_grant"


def test_sign_out_ends_the_provider_session_and_returns_to_the_app(stack: Stack):
    with stack.browser() as browser:
        issued = browser.tokens("user@northwind.example", DEMO_PASSWORD)
        # Signed in at the provider: a second authorization needs no form.
        again = browser.open(browser.authorization_url(AuthorizationRequest.new()))
        assert again.is_redirect
        end = browser.http.get(
            browser.metadata["end_session_endpoint"],
            params={
                "id_token_hint": issued["id_token"],
                "post_logout_redirect_uri": POST_LOGOUT_URI,
                "state": "s1",
            },
        )
        assert end.status_code == 200 and "Sign out</button>" in end.text
        confirmed = browser.submit(end, {"logout": "yes"})  # the "Sign out" button
        location = urlsplit(confirmed.headers["location"])
        assert (
            f"{location.scheme}://{location.netloc}{location.path}",
            parse_qs(location.query)["state"],
        ) == (POST_LOGOUT_URI, ["s1"])
        # The next authorization asks for the password again.
        after = browser.open(browser.authorization_url(AuthorizationRequest.new()))
        assert after.status_code == 200 and 'name="password"' in after.text


def test_an_unknown_post_logout_uri_is_refused(stack: Stack):
    with stack.browser() as browser:
        issued = browser.tokens("user@northwind.example", DEMO_PASSWORD)
        end = browser.http.get(
            browser.metadata["end_session_endpoint"],
            params={"id_token_hint": issued["id_token"], "post_logout_redirect_uri": "https://evil.example/"},
        )
    assert end.status_code == 400 and "location" not in end.headers
