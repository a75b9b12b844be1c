"""Local OpenID Connect for development and tests: never deployed, never trusted in Azure.

`make run` signs people in with the local identity provider (`dev/idp`, Node's oidc-provider), which
`dev.oidc.provider.start_provider` starts and `dev.oidc.code_flow` drives over HTTP as the web app does.

The Python issuer exported here is the tests' token forge. It serves discovery and a JWKS on a loopback
address and signs RS256 access tokens shaped like Entra External ID's (`scp` holding the API scope,
`typ` "JWT"), so the API validates them exactly as it validates production tokens. It also mints
deliberately bad tokens for the negative tests, and has a `POST /dev/token` endpoint that hands a token
for any email to tests (and to `dev.login` when pointed at it): a convenience that exists only here.

    with start_issuer() as running:
        token = running.issuer.mint_access_token(subject="u1", email="u1@example.test")
        ... validate against running.issuer_url ...

`python -m dev.oidc --port 8090` runs it on its own (see `__main__.py`).
"""

from dev.oidc.issuer import LocalIssuer
from dev.oidc.keys import SigningKey
from dev.oidc.server import RunningIssuer, start_issuer

__all__ = ["LocalIssuer", "RunningIssuer", "SigningKey", "start_issuer"]
