"""Secrets at rest: AES-256-GCM bound to (organisation, member), with rotatable keys."""

from __future__ import annotations

import os

import pytest

from shared.identity.secret_box import SecretBox, SecretBoxError

KEY = os.urandom(32)
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.fixture
def box() -> SecretBox:
    return SecretBox("k1", KEY)


def test_round_trip(box: SecretBox):
    sealed = box.encrypt(SECRET, org_id="org-a", member_id="m-1")
    assert SECRET not in sealed
    assert sealed.startswith("v1.k1.")
    assert box.decrypt(sealed, org_id="org-a", member_id="m-1") == SECRET


def test_each_encryption_uses_a_fresh_nonce(box: SecretBox):
    assert box.encrypt(SECRET, org_id="o", member_id="m") != box.encrypt(SECRET, org_id="o", member_id="m")


@pytest.mark.parametrize(
    ("org_id", "member_id"),
    [("org-a", "m-2"), ("org-b", "m-1"), ("m-1", "org-a"), ("org-a", "m-1 "), ("org-", "am-1")],
)
def test_a_row_copied_elsewhere_does_not_open(box: SecretBox, org_id: str, member_id: str):
    sealed = box.encrypt(SECRET, org_id="org-a", member_id="m-1")
    with pytest.raises(SecretBoxError):
        box.decrypt(sealed, org_id=org_id, member_id=member_id)


def test_every_tampered_byte_is_detected(box: SecretBox):
    sealed = box.encrypt(SECRET, org_id="o", member_id="m")
    prefix, payload = sealed.rsplit(".", 1)
    for index in range(len(payload) - 2):  # the last characters may only carry base64 padding bits
        flipped = "A" if payload[index] != "A" else "B"
        tampered = f"{prefix}.{payload[:index]}{flipped}{payload[index + 1 :]}"
        with pytest.raises(SecretBoxError):
            box.decrypt(tampered, org_id="o", member_id="m")


def test_another_key_under_the_same_id_does_not_open(box: SecretBox):
    sealed = box.encrypt(SECRET, org_id="o", member_id="m")
    with pytest.raises(SecretBoxError):
        SecretBox("k1", os.urandom(32)).decrypt(sealed, org_id="o", member_id="m")


def test_relabelled_key_id_does_not_open():
    """The key id is in the associated data: moving a value under another id of the same key fails."""
    both = SecretBox("k2", KEY, previous_keys={"k1": KEY})
    sealed = SecretBox("k1", KEY).encrypt(SECRET, org_id="o", member_id="m")
    with pytest.raises(SecretBoxError):
        both.decrypt(sealed.replace("v1.k1.", "v1.k2.", 1), org_id="o", member_id="m")


def test_rotation_opens_old_values_and_flags_them(box: SecretBox):
    sealed = box.encrypt(SECRET, org_id="o", member_id="m")
    rotated = SecretBox("k2", os.urandom(32), previous_keys={"k1": KEY})
    assert rotated.needs_rotation(sealed)
    assert rotated.decrypt(sealed, org_id="o", member_id="m") == SECRET
    resealed = rotated.encrypt(SECRET, org_id="o", member_id="m")
    assert not rotated.needs_rotation(resealed)
    with pytest.raises(SecretBoxError):
        box.decrypt(resealed, org_id="o", member_id="m")


def test_other_purpose_does_not_open():
    sealed = SecretBox("k1", KEY).encrypt(SECRET, org_id="o", member_id="m")
    with pytest.raises(SecretBoxError):
        SecretBox("k1", KEY, purpose="something-else").decrypt(sealed, org_id="o", member_id="m")


@pytest.mark.parametrize(
    "sealed", ["", "v1.k1", "v2.k1.AAAA", "v1.k9.AAAA", "v1.k1.", "v1.k1.!!!!", "v1.k1.AAAA", "a.b.c.d"]
)
def test_malformed_values_are_refused(box: SecretBox, sealed: str):
    with pytest.raises(SecretBoxError):
        box.decrypt(sealed, org_id="o", member_id="m")


@pytest.mark.parametrize(
    ("key_id", "key"),
    [("k1", b"short"), ("k1", os.urandom(16)), ("bad id", os.urandom(32)), ("", os.urandom(32))],
)
def test_bad_keys_are_refused(key_id: str, key: bytes):
    with pytest.raises(ValueError):
        SecretBox(key_id, key)
