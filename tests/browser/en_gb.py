"""What the app shows for the API's values, in en-GB: the tests compute it from the API's JSON."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo


def percent(value: float | None) -> str:
    return "Not available" if value is None else f"{value:.1f}%"


def count(value: int) -> str:
    return f"{value:,}"


def number(value: float) -> str:
    """Up to two decimals, trailing zeros dropped, as Intl.NumberFormat("en-GB") writes it: it rounds
    the number's exact binary value half away from zero, as `Decimal(value)` with ROUND_HALF_UP does."""
    rounded = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    text = f"{rounded:,.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def money(amounts: list[dict[str, Any]]) -> str:
    symbols = {"GBP": "£", "EUR": "€", "USD": "US$"}
    return " + ".join(f"{symbols[item['currency']]}{item['amount']:,.2f}" for item in amounts) or "£0.00"


def cell(value: object) -> str:
    """A report cell or an evidence value as the app's tables show it."""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int):
        return count(value)
    if isinstance(value, float):
        return count(int(value)) if value.is_integer() else number(value)
    return "" if value is None else str(value)


def moment(iso_date_time: str) -> str:
    """A moment as the app writes it (`dateStyle: "medium", timeStyle: "short"`) in the browser's zone,
    Europe/London: "28 Nov 2026, 10:15"; ICU abbreviates September in en-GB as "Sept"."""
    local = datetime.fromisoformat(iso_date_time).astimezone(ZoneInfo("Europe/London"))
    month = "Sept" if local.month == 9 else f"{local:%b}"
    return f"{local.day} {month} {local.year}, {local:%H:%M}"
