"""`python -m dev.oidc [--port 8090] [--key-file .local/oidc/signing-key.pem]`: run the local issuer.

The key file keeps the signing key across restarts, so tokens minted before a restart still verify.
Ctrl-C stops it.
"""

from __future__ import annotations

import argparse
import threading
from pathlib import Path

from dev.oidc.issuer import DEFAULT_AUDIENCE, DEFAULT_SCOPE
from dev.oidc.server import start_issuer

DEFAULT_KEY_FILE = Path(".local/oidc/signing-key.pem")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m dev.oidc", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8090, help="port (0: any free port)")
    parser.add_argument(
        "--key-file", type=Path, default=DEFAULT_KEY_FILE, help="PEM signing key, created if missing"
    )
    parser.add_argument("--audience", default=DEFAULT_AUDIENCE, help="`aud` of minted access tokens")
    parser.add_argument("--scope", default=DEFAULT_SCOPE, help="`scp` of minted access tokens")
    args = parser.parse_args(argv)
    running = start_issuer(
        host=args.host, port=args.port, key_file=args.key_file, audience=args.audience, scope=args.scope
    )
    print(f"local OIDC issuer: {running.issuer_url}")
    print(f"  discovery: {running.discovery_url}")
    print(f"  audience:  {args.audience}   scope: {args.scope}")
    print(f'  dev tokens: POST {running.issuer_url}/dev/token {{"email": ...}} (loopback only)')
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        running.stop()


if __name__ == "__main__":
    main()
