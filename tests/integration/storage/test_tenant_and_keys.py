"""Validation of organisation ids and keys: what never reaches the service."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.storage import (
    InvalidArgumentError,
    TenantContext,
    compose_key,
    encode_key_part,
    split_key,
    validate_blob_name,
    validate_key,
)

BAD_ORG_IDS = [
    "",
    "0" * 31,
    "0" * 33,
    "A" * 32,  # upper case: one canonical spelling only
    str(uuid.uuid4()),  # dashes
    "g" * 32,
    "../" + "0" * 29,
    "0" * 31 + "/",
    "0" * 31 + "\n",
]
MALICIOUS_KEYS = ["a/b", "a\\b", "a#b", "a?b", "a\x00b", "a\nb", "a\x7fb", "a\x85b", "", "x" * 1025]


@pytest.mark.parametrize("org_id", BAD_ORG_IDS)
def test_bad_org_ids_are_rejected(org_id: str) -> None:
    with pytest.raises(InvalidArgumentError):
        TenantContext(org_id)


def test_a_new_organisation_gets_a_valid_unique_id() -> None:
    first, second = TenantContext.new_organisation(), TenantContext.new_organisation()
    assert first != second
    assert TenantContext(first.org_id) == first


def test_tenant_context_is_immutable() -> None:
    tenant = TenantContext.new_organisation()
    with pytest.raises(AttributeError):
        tenant.org_id = "0" * 32  # type: ignore[misc]


@pytest.mark.parametrize("key", MALICIOUS_KEYS)
def test_malicious_keys_are_rejected(key: str) -> None:
    with pytest.raises(InvalidArgumentError) as raised:
        validate_key(key)
    if key:
        assert key not in str(raised.value)  # messages never echo the value: it may be personal data


@given(st.lists(st.text(), min_size=1, max_size=5))
def test_composed_keys_are_legal_and_split_back_exactly(parts: list[str]) -> None:
    key = "|".join(encode_key_part(part) for part in parts)
    if len(key) <= 1024 and key:
        assert validate_key(compose_key(*parts)) == key
        assert split_key(key) == parts


@pytest.mark.parametrize(
    "name", ["", "/raw/x", "raw/../x", "raw//x", "raw/./x", "raw/.hidden", "raw\\x", "raw/x?y", "raw/x#y"]
)
def test_bad_blob_names_are_rejected(name: str) -> None:
    with pytest.raises(InvalidArgumentError):
        validate_blob_name(name)


def test_snapshot_blob_names_are_accepted() -> None:
    name = "raw/2025-01-31/0123abcd/users.jsonl.gz"
    assert validate_blob_name(name) == name
