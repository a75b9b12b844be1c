"""Report CSV cell parsing: products with " + " in their names, concealment, typed values."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.collection import csv_values as v
from shared.licensing import load_catalogue

PRODUCT_NAMES = sorted({sku.display_name.upper() for sku in load_catalogue().skus()})


def test_assigned_products_keep_names_that_contain_a_spaced_plus():
    cell = "POWER BI (FREE)+OFFICE 365 E5 WITHOUT AUDIO CONFERENCING+ENTERPRISE MOBILITY + SECURITY E5"
    assert v.products(cell) == [
        "POWER BI (FREE)",
        "OFFICE 365 E5 WITHOUT AUDIO CONFERENCING",
        "ENTERPRISE MOBILITY + SECURITY E5",
    ]
    assert v.products("") == []


@given(st.lists(st.sampled_from(PRODUCT_NAMES), min_size=1, max_size=6))
def test_any_join_of_catalogue_products_splits_back(names: list[str]):
    assert v.products("+".join(names)) == names


def test_concealed_names_are_32_upper_case_hex():
    assert v.is_concealed("FE7CC8C15246EDCCA289C9A4022762F7")
    assert not v.is_concealed("fe7cc8c15246edcca289c9a4022762f7")
    assert not v.is_concealed("ada.lovelace@northwind.example")


@pytest.mark.parametrize(("cell", "value"), [("True", True), ("False", False), ("Yes", True), ("No", False)])
def test_flags(cell: str, value: bool):
    assert v.flag(cell) is value


def test_typed_values_and_rejections():
    assert v.optional_day("") is None and v.day("2026-01-13") == "2026-01-13"
    assert v.count("") == 0 and v.count("42") == 42
    for bad in (
        lambda: v.flag("maybe"),
        lambda: v.day("13/01/2026"),
        lambda: v.number(""),
        lambda: v.count("x"),
    ):
        with pytest.raises(ValueError):
            bad()
