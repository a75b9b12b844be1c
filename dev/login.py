"""`python -m dev.login <email>`: sign a demo member in against the running host, the real way.

Gets an access token from the local issuer (`POST <issuer>/dev/token`), opens a session with a TOTP code
computed from the member's secret in `.local/demo-members.json` (written by the demo seeding), and
prints the two headers every API call needs, one per line:

    Authorization: Bearer <token>
    X-Session: <session token>

Options: `--api http://127.0.0.1:7071` (the host) and `--issuer` (default INSIGHT365_OIDC_ISSUER, else
the local.settings sample's issuer).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import httpx
import pyotp

from dev.seed import DEMO_FILE

DEFAULT_API = "http://127.0.0.1:7071"
DEFAULT_ISSUER = "http://127.0.0.1:8090"
TIMEOUT = 10.0


def _issuer() -> str:
    return os.environ.get("INSIGHT365_OIDC_ISSUER") or DEFAULT_ISSUER


def totp_secret(email: str, demo_file: Path = DEMO_FILE) -> str:
    members = json.loads(demo_file.read_text(encoding="utf-8")) if demo_file.exists() else {}
    if email not in members:
        raise SystemExit(f"dev.login: {email} is not a seeded demo member (see {demo_file})")
    return str(members[email]["totp_secret"])


def login(email: str, *, api: str, issuer: str, demo_file: Path = DEMO_FILE) -> tuple[str, str]:
    """The access token and session token of a demo member."""
    secret = totp_secret(email, demo_file)
    with httpx.Client(timeout=TIMEOUT, trust_env=False) as client:
        issued = client.post(f"{issuer.rstrip('/')}/dev/token", json={"email": email})
        issued.raise_for_status()
        token = issued.json()["access_token"]
        # The current code, or (if it was used moments ago: codes work once) the next one, which the
        # API accepts within its one-step drift window.
        for offset in (0, 30):
            code = pyotp.TOTP(secret).at(time.time() + offset)
            opened = client.post(
                f"{api.rstrip('/')}/api/v1/session",
                json={"code": code},
                headers={"Authorization": f"Bearer {token}"},
            )
            if opened.status_code == 201:
                return token, str(opened.json()["session_token"])
        raise SystemExit(f"dev.login: the API refused the session ({opened.status_code}): {opened.text}")


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
