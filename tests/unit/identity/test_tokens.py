"""Access-token validation: every check is shown to refuse the one thing it exists to refuse."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dev.oidc.issuer import LocalIssuer
from dev.oidc.keys import SigningKey
from shared.identity.errors import RejectReason, TokenRejectedError
from shared.identity.jwks import JwksCache
from shared.identity.tokens import TokenValidator

from .conftest import ISSUER, FakeClock, MemoryFetch


def rejected(validator: TokenValidator, token: str) -> RejectReason:
    with pytest.raises(TokenRejectedError) as caught:
        validator.validate(token)
    return caught.value.reason


def test_valid_access_token_is_accepted(validator: TokenValidator, issuer: LocalIssuer, clock: FakeClock):
    token = issuer.mint_access_token(
        subject="sub-1", email="ada@example.test", given_name="Ada", family_name="Lovelace"
    )
    verified = validator.validate(token)
    assert verified.issuer == ISSUER
    assert verified.subject == "sub-1"
    assert verified.email == "ada@example.test"
    assert (verified.given_name, verified.family_name) == ("Ada", "Lovelace")
    assert verified.scopes == {issuer.scope}
    assert verified.expires_at == clock.now + timedelta(hours=1)
    assert verified.identity_key == hashlib.sha256(f"{ISSUER}\nsub-1".encode()).hexdigest()


def test_personal_claims_stay_out_of_repr(validator: TokenValidator, issuer: LocalIssuer):
    verified = validator.validate(
        issuer.mint_access_token(subject="s", email="ada@example.test", given_name="Ada")
    )
    assert "ada@" not in repr(verified)
    assert "Ada" not in repr(verified)


def test_identity_is_issuer_and_subject_never_email(validator: TokenValidator, issuer: LocalIssuer):
    first = validator.validate(issuer.mint_access_token(subject="a", email="same@example.test"))
    second = validator.validate(issuer.mint_access_token(subject="b", email="same@example.test"))
    assert first.identity_key != second.identity_key


def test_forged_signature_is_refused(validator: TokenValidator, issuer: LocalIssuer):
    forged = issuer.forge_with_other_key(issuer.access_claims(subject="s"))
    assert rejected(validator, forged) is RejectReason.BAD_SIGNATURE


def test_tampered_payload_is_refused(validator: TokenValidator, issuer: LocalIssuer):
    header, _, signature = issuer.mint_access_token(subject="victim").split(".")
    _, other_payload, _ = issuer.mint_access_token(subject="attacker").split(".")
    assert rejected(validator, f"{header}.{other_payload}.{signature}") is RejectReason.BAD_SIGNATURE


@pytest.mark.parametrize("forge", ["forge_alg_none", "forge_hs256_with_public_key"])
def test_algorithm_attacks_are_refused(validator: TokenValidator, issuer: LocalIssuer, forge: str):
    token = getattr(issuer, forge)(issuer.access_claims(subject="s"))
    assert rejected(validator, token) is RejectReason.UNSUPPORTED_ALGORITHM


def test_bad_algorithm_is_refused_before_any_key_lookup(
    validator: TokenValidator, issuer: LocalIssuer, fetch: MemoryFetch
):
    """A forged `alg` with an invented `kid` must not cost a key refresh."""
    header = {"alg": "none", "typ": "JWT", "kid": "invented"}
    token = issuer.forge_alg_none(issuer.access_claims(subject="s"))
    token = jwt.utils.base64url_encode(json.dumps(header).encode()).decode() + token[token.index(".") :]
    assert rejected(validator, token) is RejectReason.UNSUPPORTED_ALGORITHM
    assert fetch.calls == {}


def test_es256_is_refused_even_with_a_known_kid(validator: TokenValidator, issuer: LocalIssuer):
    other = ec.generate_private_key(ec.SECP256R1())
    token = jwt.encode(
        issuer.access_claims(subject="s"), other, algorithm="ES256", headers={"kid": issuer.current_key.kid}
    )
    assert rejected(validator, token) is RejectReason.UNSUPPORTED_ALGORITHM


def test_rs256_token_naming_an_ec_key_finds_no_key(clock: FakeClock, issuer: LocalIssuer, fetch: MemoryFetch):
    """kty confusion: an EC key published under a `kid` is never used to check an RS256 token."""
    ec_jwk = jwt.algorithms.ECAlgorithm.to_jwk(
        ec.generate_private_key(ec.SECP256R1()).public_key(), as_dict=True
    )
    fetch.routes[issuer.jwks_url] = lambda: {"keys": [*issuer.jwks()["keys"], ec_jwk | {"kid": "ec-1"}]}
    validator = TokenValidator(
        issuer=ISSUER,
        audience=issuer.audience,
        required_scope=issuer.scope,
        keys=JwksCache(issuer=ISSUER, fetch=fetch, clock=clock),
        clock=clock,
    )
    token = issuer.sign(issuer.access_claims(subject="s"), headers={"kid": "ec-1"})
    assert rejected(validator, token) is RejectReason.UNKNOWN_KEY


@pytest.mark.parametrize(
    "header",
    [
        {"jku": "https://attacker.example/keys"},
        {"x5u": "https://attacker.example/cert.pem"},
        {"jwk": {"kty": "RSA", "n": "AQAB", "e": "AQAB"}},
        {"x5c": ["MIIB"]},
        {"crit": ["exp"]},
    ],
)
def test_key_carrying_headers_are_refused_without_fetching(
    validator: TokenValidator, issuer: LocalIssuer, fetch: MemoryFetch, header: dict[str, Any]
):
    token = issuer.sign(issuer.access_claims(subject="s"), headers=header)
    assert rejected(validator, token) is RejectReason.MALFORMED
    assert set(fetch.calls) <= {issuer.discovery_url, issuer.jwks_url}


@pytest.mark.parametrize(
    "wrong_issuer",
    [
        ISSUER + "/",
        ISSUER.removesuffix("/v2.0"),
        ISSUER.replace("https://", "http://"),
        ISSUER.replace("login.example.test", "LOGIN.example.test"),
        "https://attacker.example/3f6a7e2c-0000-4000-8000-000000000001/v2.0",
        ISSUER + "/extra",
    ],
)
def test_issuer_must_match_exactly(validator: TokenValidator, issuer: LocalIssuer, wrong_issuer: str):
    token = issuer.mint_access_token(subject="s", issuer=wrong_issuer)
    assert rejected(validator, token) is RejectReason.WRONG_ISSUER


def test_configured_trailing_slash_is_not_normalised_away(issuer: LocalIssuer, fetch: MemoryFetch, clock):
    """B2C issuers end in "/": a validator configured that way refuses the slash-less form."""
    slashed = TokenValidator(
        issuer=ISSUER + "/",
        audience=issuer.audience,
        required_scope=issuer.scope,
        keys=JwksCache(issuer=ISSUER, fetch=fetch, clock=clock),
        clock=clock,
    )
    assert rejected(slashed, issuer.mint_access_token(subject="s")) is RejectReason.WRONG_ISSUER


@pytest.mark.parametrize("audience", ["api://someone-else", ["api://someone-else", "api://other"], []])
def test_audience_must_be_ours(validator: TokenValidator, issuer: LocalIssuer, audience: Any):
    reason = rejected(validator, issuer.mint_access_token(subject="s", audience=audience))
    assert reason in {RejectReason.WRONG_AUDIENCE, RejectReason.MALFORMED}
    if audience:
        assert reason is RejectReason.WRONG_AUDIENCE


def test_audience_list_containing_ours_is_accepted(validator: TokenValidator, issuer: LocalIssuer):
    token = issuer.mint_access_token(subject="s", audience=["api://other", issuer.audience])
    assert validator.validate(token).subject == "s"


@pytest.mark.parametrize(
    ("age_beyond_expiry", "accepted"), [(59, True), (60, False), (61, False), (3600, False)]
)
def test_expiry_allows_at_most_the_leeway(
    validator: TokenValidator, issuer: LocalIssuer, clock: FakeClock, age_beyond_expiry: int, accepted: bool
):
    token = issuer.mint_access_token(subject="s", lifetime=timedelta(minutes=10))
    clock.advance(minutes=10, seconds=age_beyond_expiry)
    if accepted:
        assert validator.validate(token).subject == "s"
    else:
        assert rejected(validator, token) is RejectReason.EXPIRED


def test_zero_leeway_refuses_one_second_late(issuer: LocalIssuer, keys: JwksCache, clock: FakeClock):
    strict = TokenValidator(
        issuer=ISSUER,
        audience=issuer.audience,
        required_scope=issuer.scope,
        keys=keys,
        clock=clock,
        leeway_seconds=0,
    )
    token = issuer.mint_access_token(subject="s", lifetime=timedelta(minutes=1))
    clock.advance(minutes=1)
    assert rejected(strict, token) is RejectReason.EXPIRED


@pytest.mark.parametrize("leeway", [61, 300, -1])
def test_leeway_beyond_sixty_seconds_is_refused(keys: JwksCache, leeway: int):
    with pytest.raises(ValueError, match="leeway"):
        TokenValidator(issuer=ISSUER, audience="a", required_scope="s", keys=keys, leeway_seconds=leeway)


@pytest.mark.parametrize(("ahead", "accepted"), [(59, True), (61, False), (3600, False)])
def test_not_before_in_the_future(
    validator: TokenValidator, issuer: LocalIssuer, clock: FakeClock, ahead: int, accepted: bool
):
    token = issuer.mint_access_token(subject="s", not_before=clock.now + timedelta(seconds=ahead))
    if accepted:
        assert validator.validate(token).subject == "s"
    else:
        assert rejected(validator, token) is RejectReason.NOT_YET_VALID


def test_issued_in_the_future_is_refused(validator: TokenValidator, issuer: LocalIssuer, clock: FakeClock):
    token = issuer.mint_access_token(subject="s", issued_at=clock.now + timedelta(minutes=5))
    assert rejected(validator, token) is RejectReason.NOT_YET_VALID


def test_id_token_is_refused(validator: TokenValidator, issuer: LocalIssuer):
    token = issuer.mint_id_token(subject="s", email="ada@example.test")
    assert rejected(validator, token) is RejectReason.NOT_ACCESS_TOKEN


def test_token_with_scope_but_a_nonce_is_refused(validator: TokenValidator, issuer: LocalIssuer):
    token = issuer.sign(issuer.access_claims(subject="s") | {"nonce": "abc"})
    assert rejected(validator, token) is RejectReason.NOT_ACCESS_TOKEN


@pytest.mark.parametrize("scope", ["", "other.read", "access_as_user_extra", "ACCESS_AS_USER"])
def test_access_token_without_our_scope_is_refused(
    validator: TokenValidator, issuer: LocalIssuer, scope: str
):
    assert (
        rejected(validator, issuer.mint_access_token(subject="s", scope=scope))
        is RejectReason.NOT_ACCESS_TOKEN
    )


def test_app_only_token_with_roles_is_refused(validator: TokenValidator, issuer: LocalIssuer):
    claims = issuer.access_claims(subject="s")
    del claims["scp"]
    token = issuer.sign(claims | {"roles": ["access_as_user"]})
    assert rejected(validator, token) is RejectReason.NOT_ACCESS_TOKEN


def test_rfc9068_access_token_is_accepted(validator: TokenValidator, issuer: LocalIssuer):
    claims = issuer.access_claims(subject="s")
    del claims["scp"]
    token = issuer.sign(claims | {"scope": f"openid {issuer.scope}"}, headers={"typ": "at+jwt"})
    assert validator.validate(token).scopes == {"openid", issuer.scope}


@pytest.mark.parametrize("typ", ["dpop+jwt", "logout+jwt", "secevent+jwt", "id_token"])
def test_other_jwt_types_are_refused(validator: TokenValidator, issuer: LocalIssuer, typ: str):
    token = issuer.sign(issuer.access_claims(subject="s"), headers={"typ": typ})
    assert rejected(validator, token) is RejectReason.NOT_ACCESS_TOKEN


@pytest.mark.parametrize(
    "change",
    [
        {"sub": None},
        {"exp": None},
        {"iat": None},
        {"exp": "tomorrow"},
        {"exp": True},
        {"sub": 42},
        {"sub": ""},
        {"sub": "x" * 300},
    ],
)
def test_missing_or_ill_typed_claims_are_malformed(
    validator: TokenValidator, issuer: LocalIssuer, change: dict[str, Any]
):
    claims = issuer.access_claims(subject="s")
    for name, value in change.items():
        if value is None:
            del claims[name]
        else:
            claims[name] = value
    assert rejected(validator, issuer.sign(claims)) is RejectReason.MALFORMED


@pytest.mark.parametrize("token", ["", "abc", "a.b", "a.b.c", "....", "é.é.é", "x" * 20000])
def test_garbage_is_malformed(validator: TokenValidator, token: str):
    assert rejected(validator, token) is RejectReason.MALFORMED


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_mutation_of_a_valid_token_is_refused_cleanly(
    validator: TokenValidator, issuer: LocalIssuer, data
):
    """Flipping any character yields a `TokenRejectedError`, never acceptance or another exception."""
    token = issuer.mint_access_token(subject="s")
    index = data.draw(st.integers(0, len(token) - 1))
    replacement = data.draw(st.sampled_from("AQgw_-.=x0"))
    mutated = token[:index] + replacement + token[index + 1 :]
    if mutated == token:
        return
    try:
        verified = validator.validate(mutated)
    except TokenRejectedError:
        return
    # Base64url's last character can carry unused bits; such a twin decodes to the same bytes.
    assert jwt.get_unverified_header(mutated) == jwt.get_unverified_header(token)
    assert verified.subject == "s"


def test_errors_carry_only_the_reason(validator: TokenValidator, issuer: LocalIssuer):
    token = issuer.mint_access_token(subject="secret-subject", audience="api://secret-audience")
    with pytest.raises(TokenRejectedError) as caught:
        validator.validate(token)
    assert str(caught.value) == "token rejected: wrong_audience"
    assert caught.value.__cause__ is None
    assert caught.value.__suppress_context__


class TestEmail:
    def test_unverified_email_is_dropped(self, validator: TokenValidator, issuer: LocalIssuer):
        token = issuer.mint_access_token(subject="s", email="ada@example.test", email_verified=False)
        assert validator.validate(token).email is None

    def test_string_true_is_not_verified(self, validator: TokenValidator, issuer: LocalIssuer):
        token = issuer.sign(
            issuer.access_claims(subject="s", email="ada@example.test") | {"email_verified": "true"}
        )
        assert validator.validate(token).email is None

    def test_email_without_flag_needs_a_verifying_issuer(
        self, validator: TokenValidator, issuer: LocalIssuer, keys: JwksCache, clock: FakeClock
    ):
        token = issuer.mint_access_token(subject="s", email="ada@example.test", email_verified=None)
        assert validator.validate(token).email is None
        trusting = TokenValidator(
            issuer=ISSUER,
            audience=issuer.audience,
            required_scope=issuer.scope,
            keys=keys,
            clock=clock,
            email_verified_by_issuer=True,
        )
        assert trusting.validate(token).email == "ada@example.test"

    @pytest.mark.parametrize(
        ("emails", "expected"), [(["b2c@example.test"], "b2c@example.test"), (["a@x.test", "b@x.test"], None)]
    )
    def test_b2c_emails_list(
        self, issuer: LocalIssuer, keys: JwksCache, clock: FakeClock, emails: list[str], expected: str | None
    ):
        trusting = TokenValidator(
            issuer=ISSUER,
            audience=issuer.audience,
            required_scope=issuer.scope,
            keys=keys,
            clock=clock,
            email_verified_by_issuer=True,
        )
        token = issuer.sign(issuer.access_claims(subject="s") | {"emails": emails})
        assert trusting.validate(token).email == expected

    @pytest.mark.parametrize("email", ["not-an-email", "a@b", "a@@b.test", "a b@c.test", "a@b.test\n", 7])
    def test_implausible_email_is_dropped(self, validator: TokenValidator, issuer: LocalIssuer, email: Any):
        token = issuer.sign(issuer.access_claims(subject="s") | {"email": email, "email_verified": True})
        assert validator.validate(token).email is None


def test_rotated_key_is_found_after_one_refresh(
    validator: TokenValidator, issuer: LocalIssuer, fetch: MemoryFetch, clock: FakeClock
):
    validator.validate(issuer.mint_access_token(subject="s"))
    old_token = issuer.mint_access_token(subject="old")
    issuer.rotate_key(SigningKey.generate())
    clock.advance(minutes=5)
    assert validator.validate(issuer.mint_access_token(subject="new")).subject == "new"
    assert validator.validate(old_token).subject == "old"
    assert fetch.calls[issuer.jwks_url] == 2
    assert fetch.calls[issuer.discovery_url] == 1
