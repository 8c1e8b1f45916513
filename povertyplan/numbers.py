"""Rounding as official tables do it: half up (40.915 → 40.92), never Python's half-to-even."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def half_up(value, places: int = 2) -> Decimal | None:
    """`value` (a Decimal, int, float or numeric string) rounded half up to `places` decimals;
    None stays None. A float is taken at its exact binary value, as Decimal(float) does."""
    if value is None:
        return None
    return Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
