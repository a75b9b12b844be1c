"""CSV downloads: RFC 4180 quoting, formula-injection safe, UTF-8 with a byte order mark.

Every cell is text. A cell a spreadsheet could read as a formula or a control sequence is neutralised by
a leading `'`, whatever its type (OWASP, CSV Injection: https://owasp.org/www-community/attacks/CSV_Injection).
That is a cell that starts with a control character (tab, CR, LF, NUL, ...), or whose first visible
character is `=`, `+`, `-` or `@` in any width or form that Unicode compatibility normalisation (NFKC)
folds into one (full-width `＝ ＋ － ＠`, small `﹦ ﹢ ﹣ ﹫`, superscript and subscript signs) or the minus
sign `−`, behind any leading whitespace or invisible format characters (spreadsheets trim spaces, and
East Asian input methods turn full-width signs into formulas). A negative number reads as `'-5`, which a
spreadsheet shows as text. Rows are written one at a time into the output, so a long report is never
held twice.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import IO, Any

CSV_MEDIA_TYPE = "text/csv"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
BOM = "\ufeff"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\u2212")  # compared after NFKC; U+2212 is the minus sign
NEUTRALISER = "'"
# Characters a spreadsheet may skip before it decides what a cell is: spaces and invisible format ones.
_SKIPPED_CATEGORIES = frozenset({"Zs", "Zl", "Zp", "Cf"})


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet could take `text` for a formula or a control sequence."""
    if text and unicodedata.category(text[0]) == "Cc":
        return True
    for character in text:
        if character.isspace() or unicodedata.category(character) in _SKIPPED_CATEGORIES:
            continue
        return unicodedata.normalize("NFKC", character).startswith(FORMULA_TRIGGERS)
    return False


def neutralise(text: str) -> str:
    """`text`, prefixed with `'` when a spreadsheet could take it for a formula."""
    return NEUTRALISER + text if is_formula_like(text) else text


def cell_text(value: Any) -> str:
    """One value of a report row as CSV text: empty for None, `true`/`false`, ISO dates, `;`-joined lists."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ";".join(cell_text(item) for item in value)
    return str(value)


def write_csv(out: IO[bytes], header: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Write the BOM, `header` and `rows` to `out` as safe CSV; returns the number of data rows."""
    text = io.TextIOWrapper(out, encoding="utf-8", errors="replace", newline="", write_through=True)
    try:
        text.write(BOM)
        writer = csv.writer(text, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
        writer.writerow([neutralise(cell_text(name)) for name in header])
        count = 0
        for row in rows:
            writer.writerow([neutralise(cell_text(value)) for value in row])
            count += 1
        text.flush()
    finally:
        text.detach()  # the caller owns `out`
    return count


def csv_document(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """The whole CSV document (BOM, header, rows) as bytes."""
    out = io.BytesIO()
    write_csv(out, header, rows)
    return out.getvalue()
