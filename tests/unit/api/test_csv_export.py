"""CSV downloads: every cell round-trips through `csv.reader`, and none can start a formula."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.api.csv_export import BOM, cell_text, csv_document, is_formula_like, neutralise

# UTF-8 cannot carry lone surrogates; everything else is fair game, with the dangerous starts and the
# characters CSV must quote (comma, quote, CR, LF) drawn often.
TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from(["=", "+", "-", "@", "\t", "\r", "\n", ",", '"', "'", " ", "\x00"]),
        st.sampled_from(["\uff1d", "\uff0b", "\uff0d", "\uff20", "\u3000", "\u00a0", "\u200b", "\ufe66"]),
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
            assert not is_formula_like(cell)
            if cell.startswith("'") and is_formula_like(cell[1:]):
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


FORMULA_LIKE = [
    # OWASP's triggers and control characters at the start
    *["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", "\n=1", "\x00=1", "\x1f"],
    # behind leading (Unicode) whitespace
    *[" =1+1", "   @SUM(A1)", "\u00a0=1", "\u3000=1", "\u2003+1", " \uff1dHYPERLINK(x)"],
    # behind invisible format characters: zero-width space, byte order mark, right-to-left override
    *["\u200b=1", "\ufeff=1", "\u202e=1"],
    # full-width ＝ ＋ － ＠, small ﹦ ﹢ ﹣ ﹫, superscript and subscript equals, the minus sign
    *["\uff1d1+1", "\uff0b1", "\uff0d1", "\uff20SUM(A1)", "\ufe66=", "\ufe62+", "\ufe63-", "\ufe6bx"],
    *["\u207c=", "\u208c=", "\u2212-"],
]


@pytest.mark.parametrize("cell", FORMULA_LIKE)
def test_formula_triggers_behind_whitespace_or_in_other_widths_are_neutralised(cell: str) -> None:
    assert is_formula_like(cell)
    assert neutralise(cell) == "'" + cell
    assert _read(csv_document(["a"], [[cell]]))[1] == ["'" + cell]


@pytest.mark.parametrize("cell", ["", " ", "a=b", "1-2", "e-mail", "Sales", "'=quoted", "\u00e9=1", "(1)"])
def test_ordinary_text_is_left_alone(cell: str) -> None:
    assert not is_formula_like(cell)
    assert neutralise(cell) == cell
