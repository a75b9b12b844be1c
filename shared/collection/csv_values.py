"""Usage-report CSV cells → JSON values of the snapshot records (the reports' CSV, as described in
https://learn.microsoft.com/graph/api/resources/report).

Dates are `YYYY-MM-DD`, booleans `True`/`False` (`Yes`/`No` in "Has Other Action"), an empty cell is
null. "Assigned Products" joins upper-case product names with `+`, and some names contain " + "
themselves ("ENTERPRISE MOBILITY + SECURITY E5"): every such `+` in Microsoft's catalogue has a space
on both sides, so only a `+` with no space beside it separates two products.
"""

from __future__ import annotations

import re
from datetime import date

_PRODUCT_SEPARATOR = re.compile(r"(?<! )\+(?! )")
# Concealed reports replace names with 32 upper-case hex characters, while the tenant's
# `displayConcealedNames` is on (https://learn.microsoft.com/graph/api/resources/adminreportsettings).
_CONCEALED = re.compile(r"[0-9A-F]{32}")
_TRUE = frozenset({"true", "yes"})
_FALSE = frozenset({"false", "no"})


def text(cell: str) -> str:
    if not cell:
        raise ValueError("a required value is empty")
    return cell


def optional_text(cell: str) -> str | None:
    return cell or None


def day(cell: str) -> str:
    """An ISO date, kept as its canonical string (what `model_dump(mode="json")` writes)."""
    return date.fromisoformat(text(cell)).isoformat()


def optional_day(cell: str) -> str | None:
    return day(cell) if cell else None


def flag(cell: str) -> bool:
    lowered = cell.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError(f"not a boolean: {cell[:20]!r}")


def optional_flag(cell: str) -> bool | None:
    return flag(cell) if cell else None


def count(cell: str) -> int:
    """A count; empty means none."""
    return int(cell) if cell else 0


def number(cell: str) -> int:
    return int(text(cell))


def products(cell: str) -> list[str]:
    return [name.strip() for name in _PRODUCT_SEPARATOR.split(cell) if name.strip()]


def is_concealed(name: str) -> bool:
    return _CONCEALED.fullmatch(name) is not None
