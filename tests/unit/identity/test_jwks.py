"""Key discovery and caching: trusted sources only, bounded refreshes, no stampede."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from dev.oidc.issuer import LocalIssuer
from dev.oidc.keys import SigningKey
from shared.identity.errors import RejectReason, TokenRejectedError
from shared.identity.fetch import FetchError, require_trusted_url
from shared.identity.jwks import JwksCache, discovery_url_for, parse_jwks

from .conftest import ISSUER, FakeClock, MemoryFetch


def reason(keys: JwksCache, kid: str) -> RejectReason:
    with pytest.raises(TokenRejectedError) as caught:
        keys.signing_key(kid)
    return caught.value.reason


def test_discovery_url_defaults_to_the_issuer_well_known():
    assert (
        discovery_url_for("https://a.test/t/v2.0/")
        == "https://a.test/t/v2.0/.well-known/openid-configuration"
    )


def test_known_kid_is_served_from_one_fetch(keys: JwksCache, issuer: LocalIssuer, fetch: MemoryFetch):
    for _ in range(5):
        assert keys.signing_key(issuer.current_key.kid).key_id == issuer.current_key.kid
    assert fetch.calls == {issuer.discovery_url: 1, issuer.jwks_url: 1}


def test_unknown_kid_refreshes_once_then_finds_the_rotated_key(
    keys: JwksCache, issuer: LocalIssuer, fetch: MemoryFetch, clock: FakeClock
):
    keys.signing_key(issuer.current_key.kid)
    clock.advance(minutes=5)
    new = issuer.rotate_key(SigningKey.generate())
    assert keys.signing_key(new.kid).key_id == new.kid
    assert keys.signing_key(new.kid).key_id == new.kid
    assert fetch.calls[issuer.jwks_url] == 2


def test_unknown_kids_refresh_at_most_once_per_interval(
    keys: JwksCache, issuer: LocalIssuer, fetch: MemoryFetch, clock: FakeClock
):
    keys.signing_key(issuer.current_key.kid)
    clock.advance(minutes=5)
    for attempt in range(20):
        assert reason(keys, f"invented-{attempt}") is RejectReason.UNKNOWN_KEY
        clock.advance(seconds=10)
    assert fetch.calls[issuer.jwks_url] == 2  # the first load, and one refresh in the 5-minute window
    clock.advance(minutes=2)  # 5 minutes after that refresh
    assert reason(keys, "invented-again") is RejectReason.UNKNOWN_KEY
    assert fetch.calls[issuer.jwks_url] == 3


def test_rotation_inside_the_interval_waits_for_it(
    keys: JwksCache, issuer: LocalIssuer, fetch: MemoryFetch, clock: FakeClock
):
    keys.signing_key(issuer.current_key.kid)
    new = issuer.rotate_key(SigningKey.generate())
    assert reason(keys, new.kid) is RejectReason.UNKNOWN_KEY
    clock.advance(minutes=5)
    assert keys.signing_key(new.kid).key_id == new.kid


def test_concurrent_callers_share_one_refresh(issuer: LocalIssuer, clock: FakeClock):
    fetch = MemoryFetch()
    fetch.routes[issuer.discovery_url] = issuer.discovery_document

    def slow_jwks() -> Any:
        time.sleep(0.2)  # long enough for every thread to arrive while the fetch runs
        return issuer.jwks()

    fetch.routes[issuer.jwks_url] = slow_jwks
    keys = JwksCache(issuer=ISSUER, fetch=fetch, clock=clock)
    found: list[str | None] = []
    threads = [
        threading.Thread(target=lambda: found.append(keys.signing_key(issuer.current_key.kid).key_id))
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert found == [issuer.current_key.kid] * 8
    assert fetch.calls[issuer.jwks_url] == 1


def test_stale_keys_are_refreshed_and_kept_if_the_provider_is_down(
    keys: JwksCache, issuer: LocalIssuer, fetch: MemoryFetch, clock: FakeClock
):
    kid = issuer.current_key.kid
    keys.signing_key(kid)
    clock.advance(hours=1)
    fetch.fail = True
    assert keys.signing_key(kid).key_id == kid
    assert fetch.calls[issuer.jwks_url] == 2


def test_refresh_drops_keys_the_provider_no_longer_publishes(
    keys: JwksCache, issuer: LocalIssuer, fetch: MemoryFetch, clock: FakeClock
):
    old = issuer.current_key.kid
    keys.signing_key(old)
    fetch.routes[issuer.jwks_url] = lambda: {"keys": [SigningKey.generate().public_jwk()]}
    clock.advance(hours=1)
    assert reason(keys, old) is RejectReason.UNKNOWN_KEY


def test_unreachable_provider_means_keys_unavailable_and_retries_soon(
    keys: JwksCache, issuer: LocalIssuer, fetch: MemoryFetch, clock: FakeClock
):
    fetch.fail = True
    assert reason(keys, issuer.current_key.kid) is RejectReason.KEYS_UNAVAILABLE
    assert reason(keys, issuer.current_key.kid) is RejectReason.KEYS_UNAVAILABLE
    assert fetch.calls[issuer.discovery_url] == 1
    fetch.fail = False
    clock.advance(seconds=10)
    assert keys.signing_key(issuer.current_key.kid).key_id == issuer.current_key.kid


def test_discovery_naming_another_issuer_supplies_no_keys(issuer: LocalIssuer, fetch: MemoryFetch, clock):
    fetch.routes[issuer.discovery_url] = lambda: issuer.discovery_document() | {"issuer": ISSUER + "/"}
    keys = JwksCache(issuer=ISSUER, fetch=fetch, clock=clock)
    assert reason(keys, issuer.current_key.kid) is RejectReason.KEYS_UNAVAILABLE
    assert fetch.calls[issuer.jwks_url] == 0


@pytest.mark.parametrize(
    "jwks_uri", ["http://keys.example.test/keys", "file:///etc/keys.json", "ftp://k.test/k", 7]
)
def test_discovery_naming_an_untrusted_jwks_uri_is_refused(
    issuer: LocalIssuer, fetch: MemoryFetch, clock: FakeClock, jwks_uri: object
):
    fetch.routes[issuer.discovery_url] = lambda: issuer.discovery_document() | {"jwks_uri": jwks_uri}
    keys = JwksCache(issuer=ISSUER, fetch=fetch, clock=clock)
    assert reason(keys, issuer.current_key.kid) is RejectReason.KEYS_UNAVAILABLE
    assert set(fetch.calls) == {issuer.discovery_url}


def test_configured_discovery_url_is_used_instead_of_the_default(
    issuer: LocalIssuer, fetch: MemoryFetch, clock
):
    """B2C / External ID: discovery lives at a URL that is not `<issuer>/.well-known/...`."""
    b2c_style = "https://tenant.b2clogin.test/tenant.onmicrosoft.test/b2c_1_signin/v2.0/.well-known/openid-configuration"
    fetch.routes[b2c_style] = fetch.routes.pop(issuer.discovery_url)
    keys = JwksCache(issuer=ISSUER, discovery_url=b2c_style, fetch=fetch, clock=clock)
    assert keys.signing_key(issuer.current_key.kid).key_id == issuer.current_key.kid
    assert fetch.calls[b2c_style] == 1


@pytest.mark.parametrize(
    "url",
    [
        "https://login.example.test/t/v2.0/.well-known/openid-configuration",
        "http://127.0.0.1:8090/.well-known/openid-configuration",
        "http://localhost:8090/keys",
        "http://[::1]:8090/keys",
        "http://127.9.9.9/keys",
    ],
)
def test_trusted_urls(url: str):
    assert require_trusted_url(url) == url


@pytest.mark.parametrize(
    "url",
    [
        "http://login.example.test/keys",
        "http://127.0.0.1.attacker.example/keys",
        "http://localhost.attacker.example/keys",
        "http://10.0.0.1/keys",
        "ftp://login.example.test/keys",
        "file:///etc/passwd",
        "https://user:pass@login.example.test/keys",
        "https://login.example.test/keys#frag",
        "//login.example.test/keys",
        "keys.json",
    ],
)
def test_untrusted_urls(url: str):
    with pytest.raises(FetchError):
        require_trusted_url(url)


def test_plain_http_discovery_for_a_remote_host_is_refused_at_construction():
    with pytest.raises(FetchError):
        JwksCache(issuer="http://login.example.test/t/v2.0")


def _jwks(*entries: dict[str, Any]) -> bytes:
    return json.dumps({"keys": list(entries)}).encode()


def _rsa_jwk(bits: int = 2048, **extra: Any) -> dict[str, Any]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits).public_key()
    return jwt.algorithms.RSAAlgorithm.to_jwk(key, as_dict=True) | {"kid": "k"} | extra


class TestParseJwks:
    def test_rsa_signing_key_is_kept(self):
        assert set(parse_jwks(_jwks(_rsa_jwk(), _rsa_jwk(kid="k2", alg="RS256", use="sig")))) == {"k", "k2"}

    @pytest.mark.parametrize(
        "entry",
        [
            pytest.param({"kty": "oct", "k": "c2VjcmV0", "kid": "bad"}, id="symmetric"),
            pytest.param(
                jwt.algorithms.ECAlgorithm.to_jwk(
                    ec.generate_private_key(ec.SECP256R1()).public_key(), as_dict=True
                )
                | {"kid": "bad"},
                id="ec",
            ),
            pytest.param(_rsa_jwk(kid="bad", alg="RS512"), id="other-alg"),
            pytest.param(_rsa_jwk(kid="bad", alg="HS256"), id="hs-alg"),
            pytest.param(_rsa_jwk(kid="bad", use="enc"), id="encryption-key"),
            pytest.param(_rsa_jwk(1024, kid="bad"), id="short-rsa"),
            pytest.param(
                jwt.algorithms.RSAAlgorithm.to_jwk(
                    rsa.generate_private_key(public_exponent=65537, key_size=2048), as_dict=True
                )
                | {"kid": "bad"},
                id="private-key",
            ),
            pytest.param(_rsa_jwk(kid=""), id="empty-kid"),
            pytest.param({"kty": "RSA", "kid": "bad", "n": "!!", "e": "AQAB"}, id="broken"),
        ],
    )
    def test_unusable_keys_are_skipped(self, entry: dict[str, Any]):
        assert set(parse_jwks(_jwks(_rsa_jwk(kid="good"), entry))) == {"good"}

    def test_a_kid_published_twice_is_dropped(self):
        assert set(parse_jwks(_jwks(_rsa_jwk(kid="twice"), _rsa_jwk(kid="twice"), _rsa_jwk(kid="once")))) == {
            "once"
        }

    @pytest.mark.parametrize(
        "body", [b"", b"[]", b'{"keys": {}}', b'{"keys": []}', b"{" * 5000, _jwks({"kty": "oct"})]
    )
    def test_documents_without_usable_keys_are_refused(self, body: bytes):
        with pytest.raises(ValueError):
            parse_jwks(body)
