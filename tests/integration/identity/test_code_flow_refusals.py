"""The local identity provider refuses what the contract forbids, over HTTP: requests without PKCE or
with `plain`, a wrong or missing verifier, a redirect URI not on the allow-list, implicit and hybrid
response types, a reused code, a wrong password, sign-up passwords outside the policy and a second
sign-up with the same email."""

from __future__ import annotations

import itertools
import re
import secrets
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from dev.oidc.code_flow import AuthorizationRequest, CodeFlowClient
from dev.oidc.provider import RunningProvider, SeedAccount, start_provider

REDIRECT_URI = "http://127.0.0.1:18080/auth/callback"
POST_LOGOUT_URI = "http://127.0.0.1:18080/"
MEMBER = SeedAccount("ada@refusals.example", "Ada", "Lovelace", "Analytical-Engine-1843")


@pytest.fixture(scope="module")
def provider() -> Iterator[RunningProvider]:
    with start_provider(
        redirect_uris=[REDIRECT_URI], post_logout_redirect_uris=[POST_LOGOUT_URI], seed=[MEMBER]
    ) as running:
        yield running


@pytest.fixture
def browser(provider: RunningProvider) -> Iterator[CodeFlowClient]:
    """A fresh browser (no cookies) acting for the SPA."""
    with CodeFlowClient(provider.issuer_url, redirect_uri=REDIRECT_URI) as client:
        yield client


def redirect_answer(response: httpx.Response) -> dict[str, str]:
    """The parameters of a redirect to the client, from its query or fragment."""
    assert response.is_redirect, response.text
    location = urlsplit(response.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT_URI
    return {name: values[0] for name, values in parse_qs(location.query or location.fragment).items()}


def field_error(page: httpx.Response, field: str) -> str:
    """The error shown next to a form field (the element its `aria-describedby` names)."""
    match = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', page.text)
    assert match is not None, f"no error next to {field}: {page.text}"
    assert re.search(
        rf'id="{field}"[^>]*aria-describedby="[^"]*{field}-error"[^>]*aria-invalid="true"', page.text
    )
    return match.group(1)


def sign_up_page(browser: CodeFlowClient) -> httpx.Response:
    sign_in = browser.open(browser.authorization_url(AuthorizationRequest.new()))
    link = re.search(r'<a href="([^"]+)">Create an account</a>', sign_in.text)
    assert link is not None
    page = browser.http.get(str(sign_in.url.join(link.group(1))))
    assert page.status_code == 200
    return page


def sign_up(browser: CodeFlowClient, *, email: str, password: str) -> httpx.Response:
    fields = {"given_name": "Grace", "family_name": "Hopper", "email": email, "password": password}
    return browser.submit(sign_up_page(browser), fields)


# -- the authorization request ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"code_challenge": None, "code_challenge_method": None}, id="no-pkce"),
        pytest.param({"code_challenge_method": None}, id="challenge-without-method"),
        pytest.param({"code_challenge": "p" * 50, "code_challenge_method": "plain"}, id="plain-pkce"),
    ],
)
def test_authorization_without_s256_pkce_is_refused(browser: CodeFlowClient, overrides: dict[str, None]):
    request = AuthorizationRequest.new()
    answer = redirect_answer(browser.http.get(browser.authorization_url(request, **overrides)))
    assert answer["error"] == "invalid_request"
    assert answer["state"] == request.state
    assert "code" not in answer


@pytest.mark.parametrize(
    "response_type", ["token", "id_token", "id_token token", "code id_token", "code token"]
)
def test_implicit_and_hybrid_response_types_are_refused(browser: CodeFlowClient, response_type: str):
    response = browser.http.get(
        browser.authorization_url(AuthorizationRequest.new(), response_type=response_type)
    )
    answer = redirect_answer(response)
    assert answer["error"] == "unsupported_response_type"
    assert not {"code", "access_token", "id_token"} & answer.keys()


@pytest.mark.parametrize(
    "redirect_uri",
    [
        REDIRECT_URI + "/",  # a trailing slash
        REDIRECT_URI.replace("18080", "18081"),  # another port
        REDIRECT_URI.replace("127.0.0.1", "localhost"),  # another host name for the same machine
        REDIRECT_URI + "?next=/admin",  # extra query
        "https://evil.example/auth/callback",
        None,  # omitted: the allow-list is never guessed from
    ],
)
def test_redirect_uri_must_match_the_allow_list_exactly(browser: CodeFlowClient, redirect_uri: str | None):
    response = browser.http.get(
        browser.authorization_url(AuthorizationRequest.new(), redirect_uri=redirect_uri)
    )
    assert response.status_code == 400
    assert "location" not in response.headers  # an unknown redirect URI is never redirected to
    assert "redirect_uri" in response.text


def test_an_unknown_client_is_refused(browser: CodeFlowClient):
    response = browser.http.get(
        browser.authorization_url(AuthorizationRequest.new(), client_id="someone-else")
    )
    assert response.status_code == 400
    assert "location" not in response.headers


# -- the token request -----------------------------------------------------------------------------


def signed_in_code(browser: CodeFlowClient) -> tuple[str, AuthorizationRequest]:
    request = AuthorizationRequest.new()
    return browser.sign_in(MEMBER.email, MEMBER.password, request), request


@pytest.mark.parametrize("verifier", ["wrong-" + "v" * 43, None], ids=["wrong-verifier", "no-verifier"])
def test_the_code_needs_its_own_verifier(browser: CodeFlowClient, verifier: str | None):
    code, _ = signed_in_code(browser)
    refused = browser.token_response(code, verifier)
    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_grant"
    assert "access_token" not in refused.json()


def test_a_verifier_of_another_request_is_refused(browser: CodeFlowClient):
    code, _ = signed_in_code(browser)
    other = AuthorizationRequest.new()
    assert browser.token_response(code, other.pkce.verifier).json()["error"] == "invalid_grant"


def test_a_code_works_once_and_its_reuse_revokes_what_it_gave(browser: CodeFlowClient):
    code, request = signed_in_code(browser)
    first = browser.token_response(code, request.pkce.verifier)
    assert first.status_code == 200
    again = browser.token_response(code, request.pkce.verifier)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    # RFC 6749 §4.1.2: tokens issued on a code that is used twice should be revoked.
    refreshed = browser.http.post(
        browser.metadata["token_endpoint"],
        data={
            "grant_type": "refresh_token",
            "refresh_token": first.json()["refresh_token"],
            "client_id": "insight365-spa",
        },
    )
    assert refreshed.status_code == 400 and refreshed.json()["error"] == "invalid_grant"


def test_a_code_is_bound_to_its_redirect_uri(browser: CodeFlowClient):
    code, request = signed_in_code(browser)
    browser.redirect_uri = REDIRECT_URI + "/"
    refused = browser.token_response(code, request.pkce.verifier)
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant"


# -- the sign-in page ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("email", "password"),
    [
        (MEMBER.email, MEMBER.password + "x"),
        (MEMBER.email, MEMBER.password.lower()),
        ("nobody@refusals.example", MEMBER.password),  # same words: no hint whether the email exists
    ],
    ids=["wrong-password", "wrong-case", "unknown-email"],
)
def test_a_wrong_password_shows_an_error_and_gives_no_code(
    browser: CodeFlowClient, email: str, password: str
):
    page = browser.open(browser.authorization_url(AuthorizationRequest.new()))
    refused = browser.submit(page, {"email": email, "password": password})
    assert refused.status_code == 400
    assert field_error(refused, "password") == "The email address or password is incorrect."
    assert f'value="{email}"' in refused.text  # the email stays filled in; the password never does
    assert password not in refused.text


def test_empty_fields_are_named(browser: CodeFlowClient):
    page = browser.open(browser.authorization_url(AuthorizationRequest.new()))
    refused = browser.submit(page, {"email": "", "password": ""})
    assert field_error(refused, "email") == "Enter your email address."
    assert field_error(refused, "password") == "Enter your password."


# -- the sign-up page: password policy and duplicates ----------------------------------------------

CLASSES = {"lower": "abcdefgh", "upper": "ABCDEFGH", "digit": "12345678", "symbol": "!#%&*-_+"}


def password_of(classes: tuple[str, ...]) -> str:
    """A 12-character password made of exactly these character classes."""
    pool = "".join(CLASSES[name] for name in classes)
    return "".join(CLASSES[name][0] for name in classes) + "".join(
        pool[i % len(pool)] for i in range(12 - len(classes))
    )


TOO_FEW = [combo for size in (1, 2) for combo in itertools.combinations(CLASSES, size)]
ENOUGH = [combo for size in (3, 4) for combo in itertools.combinations(CLASSES, size)]


@pytest.mark.parametrize("classes", TOO_FEW, ids=["+".join(combo) for combo in TOO_FEW])
def test_sign_up_refuses_passwords_with_fewer_than_three_classes(
    browser: CodeFlowClient, classes: tuple[str, ...]
):
    email = f"policy-{secrets.token_hex(4)}@refusals.example"
    refused = sign_up(browser, email=email, password=password_of(classes))
    assert refused.status_code == 400
    message = field_error(refused, "password")
    assert message.startswith(
        "Use at least 3 of these 4: lower-case letters, upper-case letters, digits and symbols."
    )
    # No account was made: the same email and password cannot sign in.
    again = browser.open(browser.authorization_url(AuthorizationRequest.new()))
    assert browser.submit(again, {"email": email, "password": password_of(classes)}).status_code == 400


@pytest.mark.parametrize("classes", ENOUGH, ids=["+".join(combo) for combo in ENOUGH])
def test_sign_up_accepts_passwords_with_three_or_four_classes(
    browser: CodeFlowClient, classes: tuple[str, ...]
):
    email = f"policy-{secrets.token_hex(4)}@refusals.example"
    created = sign_up(browser, email=email, password=password_of(classes))
    assert "code" in redirect_answer(created)


@pytest.mark.parametrize("password", ["aB3$efg", "Ab1!", "x" * 0], ids=["seven", "four", "empty"])
def test_sign_up_refuses_short_passwords_whatever_their_classes(browser: CodeFlowClient, password: str):
    refused = sign_up(browser, email=f"short-{secrets.token_hex(4)}@refusals.example", password=password)
    assert refused.status_code == 400
    expected = (
        "Enter a password." if not password else f"Use at least 8 characters (this one has {len(password)})."
    )
    assert field_error(refused, "password") == expected


def test_the_policy_error_names_the_classes_the_password_has(browser: CodeFlowClient):
    refused = sign_up(
        browser, email=f"words-{secrets.token_hex(4)}@refusals.example", password="lowercase1234"
    )
    assert field_error(refused, "password").endswith("This password has only lower-case letters and digits.")


@pytest.mark.parametrize("email", [MEMBER.email, MEMBER.email.upper()], ids=["same", "other-case"])
def test_sign_up_with_an_email_that_has_an_account_is_refused(browser: CodeFlowClient, email: str):
    refused = sign_up(browser, email=email, password="Another-Password-9")
    assert refused.status_code == 400
    assert (
        field_error(refused, "email") == "An account with this email address already exists. Sign in instead."
    )
    # The existing account keeps its password.
    code, request = signed_in_code(browser)
    assert browser.token_response(code, request.pkce.verifier).status_code == 200


def test_sign_up_names_every_missing_field_and_keeps_what_was_typed(browser: CodeFlowClient):
    page = sign_up_page(browser)
    refused = browser.submit(
        page, {"given_name": "", "family_name": "Hopper", "email": "grace@", "password": ""}
    )
    assert field_error(refused, "given_name") == "Enter your given name."
    assert field_error(refused, "email") == "Enter an email address like name@example.com."
    assert field_error(refused, "password") == "Enter a password."
    assert 'value="Hopper"' in refused.text and 'value="grace@"' in refused.text


# -- the pages themselves --------------------------------------------------------------------------


def test_pages_carry_a_strict_content_security_policy_and_no_script(browser: CodeFlowClient):
    sign_in = browser.open(browser.authorization_url(AuthorizationRequest.new()))
    for page in (sign_in, sign_up_page(browser)):
        policy = page.headers["content-security-policy"]
        assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        assert "<script" not in page.text and "style=" not in page.text
        assert page.headers["x-content-type-options"] == "nosniff"
        # Every input has a label naming it.
        for name in re.findall(r'<input id="([^"]+)"', page.text):
            assert f'<label for="{name}">' in page.text
    assert re.search(r'<button type="submit">Sign in</button>', sign_in.text)


def test_the_token_endpoint_serves_browsers_only_on_the_spa_origin(browser: CodeFlowClient):
    code, request = signed_in_code(browser)
    refused = browser.token_response(code, request.pkce.verifier, headers={"Origin": "https://evil.example"})
    assert refused.status_code == 400 and "access_token" not in refused.json()
    assert "access-control-allow-origin" not in refused.headers
    code, request = signed_in_code(browser)
    spa_origin = "http://127.0.0.1:18080"
    issued = browser.token_response(code, request.pkce.verifier, headers={"Origin": spa_origin})
    assert issued.status_code == 200
    assert issued.headers["access-control-allow-origin"] == spa_origin
