"""The one rounding rule of every published figure: half-up on the exact decimal value.

Python's `round` rounds half to even on the binary float, so 18/32 = 56.25 % became 56.2 and a posture
score of 12.5 became 12. Here a share is computed as an exact fraction, a money amount from the decimal
price as written (`Decimal(str(price))`), and either is quantised with `ROUND_HALF_UP`: 56.25 → 56.3,
12.5 → 13, 0.125 → 0.13. Percentages keep one decimal, money and statistics two, the posture score none.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

Exact = int | Fraction | Decimal | float

PCT_PLACES = 1
MONEY_PLACES = 2
STAT_PLACES = 2


def exact(value: Exact) -> Fraction:
    """The value as an exact fraction; a float is taken at its shortest decimal spelling (0.1 is 1/10)."""
    if isinstance(value, float):
        return Fraction(Decimal(repr(value)))
    return Fraction(value)


def half_up(value: Exact, places: int) -> float:
    """`value` rounded half away from zero to `places` decimals (56.25 → 56.3 at one place)."""
    fraction = exact(value)
    scaled = Decimal(fraction.numerator) / Decimal(fraction.denominator)
    return float(scaled.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def pct(part: Exact, whole: Exact) -> float | None:
    """part / whole × 100 to one decimal, half-up; None when there is no whole."""
    if not whole:
        return None
    return half_up(exact(part) * 100 / exact(whole), PCT_PLACES)


def money(value: Exact) -> float:
    return half_up(value, MONEY_PLACES)


def times(seats: int, price: float) -> float:
    """seats × a monthly price, exactly, to the penny (33 × 24.6 is 811.80, not 811.8000000000001)."""
    return money(exact(price) * seats)


def stat(value: Exact | None) -> float | None:
    return None if value is None else half_up(value, STAT_PLACES)
