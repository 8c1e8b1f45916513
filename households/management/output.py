"""How the management commands print figures: in the number format of the active language
(Vietnamese by default: 12.345 and 2,5), and counts under their Vietnamese labels."""

from django.db.models import Choices
from django.utils.formats import number_format


def grouped(value: int | float, decimals: int | None = None) -> str:
    """12345 → "12.345"; grouped(2.54, 1) → "2,5"."""
    return number_format(value, decimals, force_grouping=True)


def labelled_counts(counts: dict[str, int], choices: type[Choices]) -> str:
    """{"poor": 2281, "near_poor": 6953} → "Hộ cận nghèo 6.953, Hộ nghèo 2.281" (in key order)."""
    labels = dict(choices.choices)
    return ", ".join(f"{labels.get(key, key)} {grouped(count)}" for key, count in sorted(counts.items())) or "—"
