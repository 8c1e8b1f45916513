"""Poverty classification and year-to-year movements: pure rules, no database.

Sources (../shared/DOMAIN.md §2 and §3):
- Decree 07/2021/NĐ-CP, Art. 3 (national standard 2022–2025): a household is poor when its
  income per person is at or below the line of its area (1.5M VND rural, 2.0M urban) AND it is
  deprived in at least 3 of the 12 indicators; near-poor when at or below the same line with
  fewer than 3 deprivations; "average living standard" above that, up to 2.25M / 3.0M.
- QĐ 12/2016/QĐ-UBND (Hanoi 2016–2020): the older form adds an extreme line below which a
  household is poor whatever its deprivations.
- Circular 07/2021/TT-BLĐTBXH: income is estimated from the B1 proxy score; where only the
  score is known, the standard's B1 cut-off stands in for the income test.
- Movements follow the categories of the annual review (thoát nghèo, nghèo phát sinh, tái nghèo,
  thoát cận nghèo, cận nghèo phát sinh, tái cận nghèo).

The line is inclusive ("at or below"): income exactly on the line is inside it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class Area(StrEnum):
    """Urban or rural, decided by the commune (phường, thị trấn urban; xã rural)."""

    URBAN = "urban"
    RURAL = "rural"


class PovertyClass(StrEnum):
    POOR = "poor"
    NEAR_POOR = "near_poor"
    AVERAGE = "average"
    ABOVE_AVERAGE = "above_average"


class Movement(StrEnum):
    ESCAPED_POVERTY = "escaped_poverty"
    ESCAPED_NEAR_POVERTY = "escaped_near_poverty"
    NEWLY_POOR = "newly_poor"
    RE_POOR = "re_poor"
    NEWLY_NEAR_POOR = "newly_near_poor"
    RE_NEAR_POOR = "re_near_poor"
    STAYED = "stayed"
    # The class changed between two reviews made under different standards: the lines moved, so
    # it is neither an escape nor a new case (the first year of a standard is a baseline).
    RECLASSIFIED = "reclassified"


class MissingIncome(ValueError):
    """Neither an income per person nor a B1 score was given."""


@dataclass(frozen=True)
class Lines:
    """The income lines of one standard for one area, in VND per person per month."""

    poverty_line: Decimal
    average_ceiling: Decimal
    deprivation_threshold: int
    extreme_line: Decimal | None = None
    b1_cutoff: Decimal | None = None


def classify_household(
    lines: Lines,
    *,
    income_per_capita: Decimal | None,
    deprivation_count: int,
    b1_score: Decimal | None = None,
) -> PovertyClass:
    """Class of one reviewed household under the lines of its standard and area.

    Income decides first (AND rule): above the poverty line a household is never poor or
    near-poor, whatever its deprivations. At or below it, the deprivation count splits poor from
    near-poor; below an extreme line (older standards) it is poor regardless.
    """
    if deprivation_count < 0:
        raise ValueError("deprivation_count must not be negative")
    if income_per_capita is None:
        if b1_score is None or lines.b1_cutoff is None:
            raise MissingIncome("income_per_capita or a B1 score is required")
        return _classify_by_b1(lines, b1_score, deprivation_count)
    if lines.extreme_line is not None and income_per_capita <= lines.extreme_line:
        return PovertyClass.POOR
    if income_per_capita <= lines.poverty_line:
        if deprivation_count >= lines.deprivation_threshold:
            return PovertyClass.POOR
        return PovertyClass.NEAR_POOR
    if income_per_capita <= lines.average_ceiling:
        return PovertyClass.AVERAGE
    return PovertyClass.ABOVE_AVERAGE


def _classify_by_b1(lines: Lines, b1_score: Decimal, deprivation_count: int) -> PovertyClass:
    # The B1 score only answers "at or below the poverty line?"; it cannot place a household
    # between the line and the average-living ceiling, so the rest is "average or above".
    assert lines.b1_cutoff is not None
    if b1_score <= lines.b1_cutoff:
        if deprivation_count >= lines.deprivation_threshold:
            return PovertyClass.POOR
        return PovertyClass.NEAR_POOR
    return PovertyClass.AVERAGE


def count_deprivations(flags: Iterable[bool]) -> int:
    return sum(1 for flag in flags if flag)


def flags_to_mask(flags: Sequence[bool]) -> int:
    """Indicator i (1-based) is bit i-1."""
    return sum(1 << i for i, flag in enumerate(flags) if flag)


def mask_to_flags(mask: int, size: int) -> list[bool]:
    return [bool(mask >> i & 1) for i in range(size)]


def derive_movement(
    current: PovertyClass, previous: PovertyClass | None, earlier: Iterable[PovertyClass] = ()
) -> Movement:
    """Movement of a household in one year.

    `previous` is its class at the start of the year (the latest earlier review; None when it
    was never reviewed, i.e. not on any list). `earlier` are the classes of all reviews before
    the previous one, used to tell a re-poor household from a newly poor one.
    """
    history = list(earlier)
    if previous is not None:
        history.append(previous)
    if current is PovertyClass.POOR:
        if previous is PovertyClass.POOR:
            return Movement.STAYED
        if PovertyClass.POOR in history:
            return Movement.RE_POOR
        return Movement.NEWLY_POOR
    if previous is PovertyClass.POOR:
        return Movement.ESCAPED_POVERTY
    if current is PovertyClass.NEAR_POOR:
        if previous is PovertyClass.NEAR_POOR:
            return Movement.STAYED
        if PovertyClass.NEAR_POOR in history:
            return Movement.RE_NEAR_POOR
        return Movement.NEWLY_NEAR_POOR
    if previous is PovertyClass.NEAR_POOR:
        return Movement.ESCAPED_NEAR_POVERTY
    return Movement.STAYED


def derive_movements(classes_by_year: dict[int, PovertyClass]) -> dict[int, Movement]:
    """Movement of every reviewed year of one household, from its whole review history.

    Years may be given in any order and may have gaps; each year is compared with the latest
    earlier review, so importing 2024 before 2023 gives the same result once both are in.
    """
    movements: dict[int, Movement] = {}
    seen: list[PovertyClass] = []
    for year in sorted(classes_by_year):
        current = classes_by_year[year]
        previous = seen[-1] if seen else None
        movements[year] = derive_movement(current, previous, seen[:-1])
        seen.append(current)
    return movements
