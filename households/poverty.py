"""Poverty classification and year-to-year movements: pure rules, no database.

Sources (docs/poverty-rules.md and docs/review-cycle.md):
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
- Which standard a review uses (docs/poverty-rules.md): a periodic review of year Y uses the standard
  whose periodic years hold Y; a regular review the one in force on its date (Decree 07/2021
  through 31 Dec 2026; Decree 351/2025 from 1 Jan 2027, its first periodic review the end-2026
  one); where a city's own standard and the national one both apply, the higher priority wins.
- The first review year under a standard is a baseline: movements never compare two reviews
  made under different standards (a changed class is a reclassification, not an escape).

The line is inclusive ("at or below"): income exactly on the line is inside it.
"""

from __future__ import annotations

import datetime
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Protocol, TypeVar


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
    # A household's first review, made in its standard's first periodic year (2021 under Decree
    # 07/2021, 2026 under Decree 351/2025): the start of the period's list, not a new case.
    BASELINE = "baseline"


class ReviewType(StrEnum):
    """Rà soát định kỳ (yearly, 1 Sep – 14 Dec) or thường xuyên (during the year, on request)."""

    PERIODIC = "periodic"
    REGULAR = "regular"


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


# ---------------------------------------------------------------------------------------------
# Which standard a review uses


class StandardPeriod(Protocol):
    """What the selection rule reads of a standard (PovertyStandard rows have these fields)."""

    first_year: int
    last_year: int
    regular_from: datetime.date | None
    regular_to: datetime.date | None
    priority: int


S = TypeVar("S", bound=StandardPeriod)


@dataclass(frozen=True)
class Period:
    """A standard's periods as plain values, for the rules' tests and for callers without rows."""

    name: str
    first_year: int
    last_year: int
    regular_from: datetime.date | None = None
    regular_to: datetime.date | None = None
    priority: int = 0


class AmbiguousStandard(ValueError):
    """Two standards of the same priority apply to one review (PovertyStandard.clean refuses this)."""

    def __init__(self, first, second) -> None:
        super().__init__(f"{first} and {second} both apply with the same priority")
        self.standards = (first, second)


def applies_to(standard: StandardPeriod, *, year: int, review_type: str, review_date: datetime.date | None) -> bool:
    """Does `standard` govern this review? Periodic: by year; regular: by date (31 Dec of Y by default)."""
    if review_type == ReviewType.REGULAR:
        day = review_date or datetime.date(year, 12, 31)
        return (
            standard.regular_from is not None
            and standard.regular_to is not None
            and standard.regular_from <= day <= standard.regular_to
        )
    return standard.first_year <= year <= standard.last_year


def select_standard(
    candidates: Iterable[S],
    *,
    year: int,
    review_type: str = ReviewType.PERIODIC,
    review_date: datetime.date | None = None,
) -> S | None:
    """The standard a review of `year` and `review_type` uses, or None when none applies.

    Among those that apply the highest `priority` wins (a city's own standard over the national
    one). Two of the same priority both applying is refused with AmbiguousStandard: the data
    is wrong (PovertyStandard.clean keeps the admin from saving such a pair).
    """
    best: S | None = None
    tie: S | None = None
    for standard in candidates:
        if not applies_to(standard, year=year, review_type=review_type, review_date=review_date):
            continue
        if best is None or standard.priority > best.priority:
            best, tie = standard, None
        elif standard.priority == best.priority:
            tie = standard
    if tie is not None:
        raise AmbiguousStandard(best, tie)
    return best


def _ranges_meet(a_start, a_end, b_start, b_end) -> bool:
    if None in (a_start, a_end, b_start, b_end):
        return False
    return a_start <= b_end and b_start <= a_end


def overlap(standard: StandardPeriod, other: StandardPeriod) -> str | None:
    """Where two standards of the same priority would both apply: "periodic", "regular" or None."""
    if standard.priority != other.priority:
        return None
    if _ranges_meet(standard.first_year, standard.last_year, other.first_year, other.last_year):
        return "periodic"
    if _ranges_meet(standard.regular_from, standard.regular_to, other.regular_from, other.regular_to):
        return "regular"
    return None


# ---------------------------------------------------------------------------------------------
# Movements


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


@dataclass(frozen=True)
class ReviewedYear:
    """One review of a household for the movement rule: its class and the standard it was made under.

    `standard` is any value naming the standard (its id); `standard_first_year` says the review
    is of its standard's first periodic year (year == first_year), the period's baseline.
    """

    poverty_class: PovertyClass
    standard: Hashable = None
    standard_first_year: bool = False


def derive_movements(history: Mapping[int, ReviewedYear | PovertyClass]) -> dict[int, Movement]:
    """Movement of every reviewed year of one household, from its whole review history.

    Years may be given in any order and may have gaps; each year is compared with the latest
    earlier review, so importing 2024 before 2023 gives the same result once both are in. A bare
    PovertyClass stands for a review under one unchanging standard (no baseline year).

    Two reviews under different standards are never compared as an escape or a new case: the
    class changed because the lines moved (RECLASSIFIED) or it did not (STAYED). A household's
    first review in its standard's first periodic year is that period's BASELINE. Re-poor
    still looks at the whole earlier history, whatever standard it was made under.
    """
    movements: dict[int, Movement] = {}
    seen: list[ReviewedYear] = []
    for year in sorted(history):
        entry = history[year]
        current = entry if isinstance(entry, ReviewedYear) else ReviewedYear(PovertyClass(entry))
        previous = seen[-1] if seen else None
        if previous is None and current.standard_first_year:
            movements[year] = Movement.BASELINE
        elif previous is not None and previous.standard != current.standard:
            changed = previous.poverty_class is not current.poverty_class
            movements[year] = Movement.RECLASSIFIED if changed else Movement.STAYED
        else:
            movements[year] = derive_movement(
                current.poverty_class,
                previous.poverty_class if previous else None,
                [r.poverty_class for r in seen[:-1]],
            )
        seen.append(current)
    return movements


# ---------------------------------------------------------------------------------------------
# The coming standard's impact, before its first review (issue 16): a household reviewed under
# the old standard is re-classified under the new lines. Income lines apply exactly; indicators
# the old review did not ask about are unknown, so the class is a range: `low` assuming the
# household is not deprived in them, `high` assuming it is.


def income_steps(lines: Lines) -> list[Decimal]:
    """The incomes where classify_household's answer can change, in order: it compares an income
    with these only (`income <= step`), so incomes between two steps classify alike. Lets a
    city-wide count group reviews by band instead of by every distinct income."""
    return sorted(line for line in (lines.extreme_line, lines.poverty_line, lines.average_ceiling) if line is not None)


def band_income(steps: list[Decimal], band: int) -> Decimal:
    """An income of band `band` of `steps` (band k: at or below steps[k] and above the one
    before; band len(steps): above them all), which classifies as every income of the band."""
    return steps[band] if band < len(steps) else steps[-1] + 1


@dataclass(frozen=True)
class ClassRange:
    low: PovertyClass
    high: PovertyClass


def reclassify_range(
    lines: Lines, *, income_per_capita: Decimal, known_deprivations: int, unknown_indicators: int
) -> ClassRange:
    """The class under `lines` with `unknown_indicators` not asked: (not deprived, deprived) in them."""
    if known_deprivations < 0 or unknown_indicators < 0:
        raise ValueError("deprivation counts must not be negative")
    return ClassRange(
        low=classify_household(lines, income_per_capita=income_per_capita, deprivation_count=known_deprivations),
        high=classify_household(
            lines, income_per_capita=income_per_capita, deprivation_count=known_deprivations + unknown_indicators
        ),
    )


# ---------------------------------------------------------------------------------------------
# Households at risk of falling back (issue 16): not poor at their last review, but close to it.


class RiskReason(StrEnum):
    INCOME_NEAR_LINE = "income_near_line"  # within the margin above the poverty line in force
    MANY_DEPRIVATIONS = "many_deprivations"  # deprived in as many indicators as a poor household
    ESCAPED_RECENTLY = "escaped_recently"  # escaped poverty at one of its last two reviews


def risk_reasons(
    lines: Lines,
    *,
    poverty_class: PovertyClass,
    income_per_capita: Decimal | None,
    deprivation_count: int,
    recent_movements: Iterable[Movement],
    margin: Decimal,
) -> list[RiskReason]:
    """Why a household not poor at its last review may fall back into poverty; [] when it is poor
    (it is on the list already) or none applies."""
    if poverty_class is PovertyClass.POOR:
        return []
    reasons = []
    if income_per_capita is not None and lines.poverty_line < income_per_capita <= lines.poverty_line * (1 + margin):
        reasons.append(RiskReason.INCOME_NEAR_LINE)
    if deprivation_count >= lines.deprivation_threshold:
        reasons.append(RiskReason.MANY_DEPRIVATIONS)
    if Movement.ESCAPED_POVERTY in set(recent_movements):
        reasons.append(RiskReason.ESCAPED_RECENTLY)
    return reasons


# ---------------------------------------------------------------------------------------------
# Is a review acceptable under its standard? One check for the form, the review service and the
# importer, returning coded problems that each maps to the same messages (households.messages).


class ReviewProblem(StrEnum):
    NO_INCOME = "no_income"  # neither an income per person nor a B1 score
    NO_B1_CUTOFF = "no_b1_cutoff"  # only a B1 score, and the standard has no B1 cut-off
    TOO_MANY_INDICATORS = "too_many_indicators"  # a flag beyond the standard's indicator set
    DATE_OUTSIDE_CYCLE = "date_outside_cycle"  # a review date outside its year's cycle (review_window)


def review_window(year: int, review_type: str) -> tuple[datetime.date, datetime.date]:
    """The first and last date a review of `year` may carry (docs/review-cycle.md).

    A periodic review of Y is carried out from 1 Sep to 14 Dec of Y and its list is approved by the
    city in January–March of Y+1, so its date falls from 1 Jan Y (a commune that starts early) to
    31 Mar Y+1 (a household re-visited before the list is approved). A regular review of Y is one
    of the year's monthly reviews: its date falls in Y.
    """
    if review_type == ReviewType.REGULAR:
        return datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    return datetime.date(year, 1, 1), datetime.date(year + 1, 3, 31)


def review_date_problem(year: int, review_type: str, review_date: datetime.date | None) -> ReviewProblem | None:
    """DATE_OUTSIDE_CYCLE when the review's date is outside its year's window; no date is no problem."""
    if review_date is None:
        return None
    first, last = review_window(year, review_type)
    return None if first <= review_date <= last else ReviewProblem.DATE_OUTSIDE_CYCLE


def review_problems(
    lines: Lines, *, income_per_capita: Decimal | None, b1_score: Decimal | None, flags: int, indicators: int
) -> list[ReviewProblem]:
    """What stops a review from being classified under `lines` (`flags`: indicator i is bit i-1)."""
    problems = []
    if income_per_capita is None and b1_score is None:
        problems.append(ReviewProblem.NO_INCOME)
    elif income_per_capita is None and lines.b1_cutoff is None:
        problems.append(ReviewProblem.NO_B1_CUTOFF)
    if flags >> indicators:
        problems.append(ReviewProblem.TOO_MANY_INDICATORS)
    return problems
