"""CSV downloads (ARCHITECTURE §5): RFC 4180 quoting, formula-injection safe, UTF-8 with a byte order mark.

Every cell is text. A cell a spreadsheet could read as a formula or a control sequence (it starts with
`=`, `+`, `-`, `@`, tab, CR or LF) is neutralised by a leading `'`, whatever its type: a negative number
reads as `'-5`, which a spreadsheet shows as text, and the rule stays simple enough to check. Rows are
written one at a time into the output, so a long report is never held twice.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import IO, Any

CSV_MEDIA_TYPE = "text/csv"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
BOM = "\ufeff"
DANGEROUS_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")
NEUTRALISER = "'"


def neutralise(text: str) -> str:
    """`text`, prefixed with `'` when a spreadsheet could take it for a formula."""
    return NEUTRALISER + text if text.startswith(DANGEROUS_STARTS) else text


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
