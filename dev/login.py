"""`python -m dev.login <email>`: sign a demo member in against the running host, the real way.

Signs in at the local identity provider with the demo password, through the authorization-code flow
with PKCE as the web app does (against the tests' Python issuer: `POST <issuer>/dev/token`), opens a
session with a TOTP code computed from the member's secret in `.local/demo-members.json` (written by
the demo seeding), and prints the two headers every API call needs, one per line:

    Authorization: Bearer <token>
    X-Session: <session token>

Each TOTP code is sent once: the last time-step used per member is remembered in
`.local/demo-totp-steps.json`, so two sign-ins within 30 seconds use the current code and then the next
one, and a third waits (at most 30 s) for a fresh step instead of sending a code the API would refuse and
count towards its lock. A refused code is never retried; a locked member gets a message with the wait.

Options: `--api http://127.0.0.1:7071` (the host) and `--issuer` (default INSIGHT365_OIDC_ISSUER, else
the local.settings sample's issuer).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import httpx

from dev.oidc.code_flow import demo_access_token
from dev.seed import DEMO_FILE
from dev.totp import StepLedger, totp_secret

DEFAULT_API = "http://127.0.0.1:7071"
DEFAULT_ISSUER = "http://127.0.0.1:8090"
TIMEOUT = 10.0


def _issuer() -> str:
    return os.environ.get("INSIGHT365_OIDC_ISSUER") or DEFAULT_ISSUER


def _refusal(email: str, opened: httpx.Response) -> str:
    if opened.status_code == 429:
        wait = opened.headers.get("Retry-After", "?")
        return (
            f"dev.login: {email} is locked out of TOTP after five refused codes; try again in {wait} s "
            "(dev.login sends no codes while a member is locked)."
        )
    if opened.status_code == 401 and opened.json().get("type", "").endswith(":mfa-code-rejected"):
        return (
            f"dev.login: the API refused the TOTP code of {email}. dev.login never sends a code twice, so "
            "the code was used elsewhere (try again in 30 s) or the member's secret no longer matches the "
            "demo file (restart `make run` to seed it again). Five refusals lock TOTP for 15 minutes."
        )
    return f"dev.login: the API refused the session ({opened.status_code}): {opened.text}"


def login(email: str, *, api: str, issuer: str, demo_file: Path = DEMO_FILE) -> tuple[str, str]:
    """The access token and session token of a demo member; one TOTP code sent, never retried."""
    secret = totp_secret(email, demo_file)
    with httpx.Client(timeout=TIMEOUT, trust_env=False) as client:
        token = demo_access_token(issuer, email)
        code = StepLedger.beside(demo_file).next_code(secret, program="dev.login")
        opened = client.post(
            f"{api.rstrip('/')}/api/v1/session",
            json={"code": code},
            headers={"Authorization": f"Bearer {token}"},
        )
        if opened.status_code != 201:
            raise SystemExit(_refusal(email, opened))
        return token, str(opened.json()["session_token"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dev.login", description=__doc__)
    parser.add_argument("email")
    parser.add_argument("--api", default=DEFAULT_API)
    parser.add_argument("--issuer", default=_issuer())
    args = parser.parse_args(argv)
    token, session = login(args.email, api=args.api, issuer=args.issuer)
    print(f"Authorization: Bearer {token}")
    print(f"X-Session: {session}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
