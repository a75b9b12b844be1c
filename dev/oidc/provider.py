"""Start and stop the local OpenID Connect provider: `dev/idp`, built on Node's `oidc-provider`.

It is what `make run` signs people in with: the authorization-code flow with PKCE (S256 only) for one
public client, the single-page app `insight365-spa`, with sign-in and sign-up pages, a password policy and
an exact redirect-URI allow-list. Its access tokens are RS256 JWTs for the API (issuer, audience, `scp`,
verified email and names), so the API accepts them exactly as it accepts Entra External ID's.

    with start_provider(redirect_uris=["http://127.0.0.1:9999/auth/callback"]) as provider:
        ... discovery at provider.discovery_url ...

Accounts live in `accounts_file` (scrypt password hashes), or in memory when it is None; `seed` accounts
are (re)created on every start with their password, so the demo members' documented password always
works. The Python `LocalIssuer` (`start_issuer`) stays the tests' token forge.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO

from dev.azurite import REPO_ROOT
from dev.oidc.issuer import DEFAULT_AUDIENCE, DEFAULT_SCOPE, subject_for_email
from dev.oidc.keys import SigningKey
from dev.seed import DEMO_MEMBERS

PROVIDER_SCRIPT = REPO_ROOT / "dev" / "idp" / "server.mjs"
CLIENT_ID = "insight365-spa"
# The development password of the demo members (super@, admin@, user@northwind.example); documented in
# the README, development only.
DEMO_PASSWORD = "Northwind-demo-2026!"  # noqa: S105 - a published development password
# Where the single-page app signs in and out under `make run` (the local gateway's origin).
APP_REDIRECT_URI = "http://127.0.0.1:8080/auth/callback"
APP_POST_LOGOUT_REDIRECT_URI = "http://127.0.0.1:8080/"
START_TIMEOUT_SECONDS = 20.0
STOP_TIMEOUT_SECONDS = 5.0


class ProviderError(RuntimeError):
    """The local identity provider could not be started."""


@dataclass(frozen=True)
class SeedAccount:
    """An account the provider (re)creates on start; `subject` defaults to the demo rule for the email
    (`subject_for_email`), which is what the demo organisation's members are bound to."""

    email: str
    given_name: str
    family_name: str
    password: str = field(repr=False)
    subject: str = ""

    def as_json(self) -> dict[str, str]:
        return {
            "sub": self.subject or subject_for_email(self.email),
            "email": self.email,
            "given_name": self.given_name,
            "family_name": self.family_name,
            "password": self.password,
        }


def demo_accounts(password: str = DEMO_PASSWORD) -> list[SeedAccount]:
    """The demo organisation's members as provider accounts, bound to the subjects they are seeded with."""
    return [SeedAccount(email, first, last, password) for email, _, first, last in DEMO_MEMBERS]


class RunningProvider:
    """A started provider process. Use as a context manager, or call `stop()`."""

    def __init__(self, process: subprocess.Popen[str], issuer_url: str, log: IO[str] | None = None) -> None:
        self.process = process
        self.issuer_url = issuer_url
        self._log = log

    @property
    def discovery_url(self) -> str:
        return self.issuer_url + "/.well-known/openid-configuration"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for stream in (self.process.stdin, self.process.stdout, self._log):
            if stream is not None:
                stream.close()

    def __enter__(self) -> RunningProvider:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def _drain(stream: IO[str], sink: IO[str]) -> None:
    """Pass on whatever else the provider prints, so a full pipe never blocks it."""
    try:
        for line in stream:
            sink.write(line)
    except (OSError, ValueError):  # the provider was stopped and its streams closed
        return


def _ready_line(process: subprocess.Popen[str], timeout: float) -> str:
    """The provider's first stdout line, read on a helper thread so a silent failure cannot hang us."""
    stdout = process.stdout
    assert stdout is not None
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.append(stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    return lines[0] if lines else ""


def start_provider(
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    redirect_uris: Sequence[str] = (APP_REDIRECT_URI,),
    post_logout_redirect_uris: Sequence[str] = (APP_POST_LOGOUT_REDIRECT_URI,),
    accounts_file: Path | None = None,
    key_file: Path | None = None,
    seed: Sequence[SeedAccount] = (),
    audience: str = DEFAULT_AUDIENCE,
    scope: str = DEFAULT_SCOPE,
    log_file: Path | None = None,
) -> RunningProvider:
    """Start the provider on `host:port` (port 0: a free one) and wait until it answers.

    `key_file` keeps the signing key across restarts (created if missing, shared with the Python
    issuer's format); without it the provider makes a fresh key. The provider's own log lines are
    appended to `log_file` (default: this process's stderr). It exits by itself when this process ends.
    """
    node = shutil.which("node")
    if node is None:
        raise ProviderError("Node.js is required for the local identity provider (`node` not on PATH)")
    if not (REPO_ROOT / "node_modules" / "oidc-provider").is_dir():
        raise ProviderError("oidc-provider is not installed: run `npm ci` (make run does it)")
    arguments = [node, str(PROVIDER_SCRIPT), "--host", host, "--port", str(port), "--exit-with-stdin"]
    arguments += ["--audience", audience, "--scope", scope]
    arguments += [item for uri in redirect_uris for item in ("--redirect-uri", uri)]
    arguments += [item for uri in post_logout_redirect_uris for item in ("--post-logout-redirect-uri", uri)]
    if accounts_file is not None:
        arguments += ["--accounts", str(accounts_file)]
    if key_file is not None:
        SigningKey.load_or_create(key_file)
        arguments += ["--key-file", str(key_file)]
    log: IO[str] | None = None
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        log = log_file.open("a", encoding="utf-8")
    with tempfile.TemporaryDirectory(prefix="insight365-idp-") as folder:
        if seed:
            seed_file = Path(folder) / "seed.json"
            seed_file.write_text(json.dumps([account.as_json() for account in seed]), encoding="utf-8")
            os.chmod(seed_file, 0o600)
            arguments += ["--seed", str(seed_file)]
        process = subprocess.Popen(  # noqa: S603 - fixed arguments, no shell
            arguments,
            cwd=REPO_ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,  # None: this process's own stderr
            text=True,
        )
        line = _ready_line(process, START_TIMEOUT_SECONDS)
    running = RunningProvider(process, "", log)
    try:
        running.issuer_url = str(json.loads(line)["issuer"])
    except (ValueError, KeyError, TypeError):
        running.stop()
        raise ProviderError(
            f"the local identity provider did not start (exit code {process.poll()})"
        ) from None
    assert process.stdout is not None
    threading.Thread(target=_drain, args=(process.stdout, log or sys.stderr), daemon=True).start()
    return running


def start_dev_provider(data_folder: Path, *, port: int) -> RunningProvider:
    """The provider as `make run` runs it: on 127.0.0.1:`port` for the web app at 127.0.0.1:8080, with
    its signing key, accounts and log under `data_folder` and the demo members' documented password."""
    return start_provider(
        port=port,
        key_file=data_folder / "oidc" / "signing-key.pem",
        accounts_file=data_folder / "idp" / "accounts.json",
        seed=demo_accounts(),
        log_file=data_folder / "idp" / "provider.log",
    )
