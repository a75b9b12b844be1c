"""The authorization-code flow with PKCE, driven over HTTP as a browser and a public client would.

`dev.login` signs demo members in with it, and the tests use its steps one by one (authorize → the
sign-in page → the form post → the code at the redirect URI → the token request with the verifier).
It follows the provider's own discovery document and fills in its forms by their field names, so it
works against any provider that serves the local provider's pages.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import httpx

from dev.oidc.issuer import DEFAULT_SCOPE
from dev.oidc.provider import APP_REDIRECT_URI, CLIENT_ID, DEMO_PASSWORD

SCOPE = f"openid profile email {DEFAULT_SCOPE}"
MAX_REDIRECTS = 10
_FORM_ACTION = re.compile(r'<form [^>]*\baction="([^"]+)"')
_HIDDEN_INPUT = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')
_PAGE_MESSAGE = re.compile(r"<h1>(.*?)</h1>\s*<p>(.*?)</p>", re.DOTALL)


class CodeFlowError(RuntimeError):
    """The flow stopped: `response` is the provider's last answer (an error page, a refused form)."""

    def __init__(self, message: str, response: httpx.Response | None = None) -> None:
        super().__init__(message)
        self.response = response


@dataclass(frozen=True)
class Pkce:
    """A PKCE verifier and its S256 challenge (RFC 7636 §4.1-4.2)."""

    verifier: str
    challenge: str

    @classmethod
    def new(cls) -> Pkce:
        verifier = secrets.token_urlsafe(48)
        digest = hashlib.sha256(verifier.encode("ascii")).digest()
        return cls(verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii"))


@dataclass(frozen=True)
class AuthorizationRequest:
    """One authorization request's secrets, kept by the client until the code comes back."""

    pkce: Pkce
    state: str
    nonce: str

    @classmethod
    def new(cls) -> AuthorizationRequest:
        return cls(Pkce.new(), secrets.token_urlsafe(16), secrets.token_urlsafe(16))


class CodeFlowClient:
    """A browser (cookies, no automatic redirects) plus the SPA's side of the protocol."""

    def __init__(
        self,
        issuer_url: str,
        *,
        client_id: str = CLIENT_ID,
        redirect_uri: str = APP_REDIRECT_URI,
        scope: str = SCOPE,
        timeout: float = 10.0,
    ) -> None:
        self.client_id = client_id
        self.redirect_uri = redirect_uri
        self.scope = scope
        self.http = httpx.Client(timeout=timeout, trust_env=False)
        discovery = self.http.get(issuer_url.rstrip("/") + "/.well-known/openid-configuration")
        discovery.raise_for_status()
        self.metadata: dict[str, Any] = discovery.json()

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> CodeFlowClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- the browser's side ------------------------------------------------------------------------

    def authorization_url(self, request: AuthorizationRequest, **overrides: str | None) -> str:
        """The authorization endpoint with this request's parameters; `overrides` replace (or, as None,
        drop) single parameters, e.g. `code_challenge_method="plain"`."""
        defaults: dict[str, str | None] = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri,
            "scope": self.scope,
            "state": request.state,
            "nonce": request.nonce,
            "code_challenge": request.pkce.challenge,
            "code_challenge_method": "S256",
        }
        params = defaults | overrides
        query = urlencode({name: value for name, value in params.items() if value is not None})
        return f"{self.metadata['authorization_endpoint']}?{query}"

    def follow(self, response: httpx.Response) -> httpx.Response:
        """Follow the provider's redirects (as a browser does) until a page, or a redirect that leaves
        the provider (back to the client), which is returned unfetched."""
        provider = urlsplit(self.metadata["issuer"]).netloc
        for _ in range(MAX_REDIRECTS):
            location = response.headers.get("location")
            if not response.is_redirect or location is None:
                return response
            target = urljoin(str(response.url), location)
            if urlsplit(target).netloc != provider:
                return response
            response = self.http.get(target)
        raise CodeFlowError("too many redirects", response)

    def open(self, url: str) -> httpx.Response:
        return self.follow(self.http.get(url))

    def submit(self, page: httpx.Response, fields: dict[str, str]) -> httpx.Response:
        """Post the page's form with its hidden inputs and these fields (the visible ones, and the name and
        value of the button pressed), as a browser does, and follow the redirects."""
        action = _FORM_ACTION.search(page.text)
        if action is None:
            raise CodeFlowError("the page has no form", page)
        target = urljoin(str(page.url), html.unescape(action.group(1)))
        hidden = {name: html.unescape(value) for name, value in _HIDDEN_INPUT.findall(page.text)}
        return self.follow(self.http.post(target, data=hidden | fields))

    def code_from(self, response: httpx.Response, request: AuthorizationRequest) -> str:
        """The authorization code of a redirect to the client, after checking its `state` and `iss`."""
        location = response.headers.get("location", "")
        if not response.is_redirect or not location.startswith(self.redirect_uri):
            raise CodeFlowError(f"the provider answered {response.status_code}, not a code", response)
        answer = {name: values[0] for name, values in parse_qs(urlsplit(location).query).items()}
        if "error" in answer:
            raise CodeFlowError(f"{answer['error']}: {answer.get('error_description', '')}", response)
        if answer.get("state") != request.state or answer.get("iss") != self.metadata["issuer"]:
            raise CodeFlowError("the response's state or iss does not match the request", response)
        return str(answer["code"])

    def sign_in(self, email: str, password: str, request: AuthorizationRequest) -> str:
        """Authorize, fill in the sign-in page, and return the authorization code."""
        page = self.open(self.authorization_url(request))
        if page.is_redirect:  # already signed in at the provider
            return self.code_from(page, request)
        if page.status_code != 200:
            shown = _PAGE_MESSAGE.search(page.text)
            message = ": ".join(shown.groups()) if shown else page.text[:200]
            raise CodeFlowError(f"the provider refused the sign-in ({page.status_code}): {message}", page)
        return self.code_from(self.submit(page, {"email": email, "password": password}), request)

    # -- the client's side -------------------------------------------------------------------------

    def token_response(
        self, code: str, verifier: str | None, headers: dict[str, str] | None = None
    ) -> httpx.Response:
        """The token endpoint's answer to this code (with `verifier` as `code_verifier`, unless None);
        `headers` as a browser adds them (e.g. `Origin`)."""
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": self.redirect_uri,
            "client_id": self.client_id,
        }
        if verifier is not None:
            form["code_verifier"] = verifier
        return self.http.post(self.metadata["token_endpoint"], data=form, headers=headers)

    def tokens(self, email: str, password: str) -> dict[str, Any]:
        """The whole flow: the token response (access_token, id_token, ...) for this account."""
        request = AuthorizationRequest.new()
        code = self.sign_in(email, password, request)
        issued = self.token_response(code, request.pkce.verifier)
        if issued.status_code != 200:
            raise CodeFlowError(f"the token endpoint answered {issued.status_code}", issued)
        body: dict[str, Any] = issued.json()
        return body


def demo_access_token(issuer_url: str, email: str, password: str = DEMO_PASSWORD) -> str:
    """An access token for a demo account. From the local identity provider through the code flow, as
    the web app gets one; from the tests' Python issuer, which has no authorization endpoint, through
    its `POST /dev/token`."""
    with CodeFlowClient(issuer_url) as client:
        if "authorization_endpoint" in client.metadata:
            return str(client.tokens(email, password)["access_token"])
        issued = client.http.post(f"{issuer_url.rstrip('/')}/dev/token", json={"email": email})
        issued.raise_for_status()
        return str(issued.json()["access_token"])
