"""CSV downloads: every cell round-trips through `csv.reader`, and none can start a formula."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from shared.api.csv_export import BOM, DANGEROUS_STARTS, cell_text, csv_document, neutralise

# UTF-8 cannot carry lone surrogates; everything else is fair game, with the dangerous starts and the
# characters CSV must quote (comma, quote, CR, LF) drawn often.
TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from(["=", "+", "-", "@", "\t", "\r", "\n", ",", '"', "'", " ", "\x00"]),
        st.characters(codec="utf-8"),
    ),
    max_size=20,
)
VALUES = st.one_of(
    TEXT, st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.dates(), st.lists(TEXT)
)


def _read(document: bytes) -> list[list[str]]:
    assert document.startswith(BOM.encode())
    text = document[len(BOM.encode()) :].decode("utf-8")
    return list(csv.reader(io.StringIO(text, newline="")))


@given(st.lists(TEXT, min_size=1, max_size=6), st.lists(st.lists(TEXT, min_size=1, max_size=6), max_size=8))
def test_every_cell_round_trips_neutralised(header: list[str], rows: list[list[str]]) -> None:
    read = _read(csv_document(header, rows))
    assert read == [[neutralise(cell) for cell in row] for row in [header, *rows]]


@given(st.lists(st.lists(VALUES, min_size=1, max_size=6), max_size=8))
def test_no_cell_starts_with_a_dangerous_character_unless_prefixed(rows: list[list[Any]]) -> None:
    read = _read(csv_document(["a"], rows))
    assert len(read) == len(rows) + 1
    for row, values in zip(read[1:], rows, strict=True):
        for cell, value in zip(row, values, strict=True):
            assert not cell.startswith(DANGEROUS_STARTS)
            if cell.startswith("'") and cell[1:].startswith(DANGEROUS_STARTS):
                assert cell[1:] == cell_text(value)  # the prefix is the only change
            else:
                assert cell == cell_text(value)


def test_known_cells() -> None:
    document = csv_document(
        ["name", "n", "ok", "day", "tags"],
        [['=HYPERLINK("x")', -5, True, date(2026, 3, 2), ["a", "b"]], ["@SUM(A1)", None, False, "\tx", []]],
    )
    assert document == (
        BOM.encode() + b"name,n,ok,day,tags\r\n"
        b'"\'=HYPERLINK(""x"")",\'-5,true,2026-03-02,a;b\r\n'
        b"'@SUM(A1),,false,'\tx,\r\n"
    )


def test_a_header_only_document_is_just_the_header() -> None:
    assert csv_document(["a", "b,c"], []) == BOM.encode() + b'a,"b,c"\r\n'
