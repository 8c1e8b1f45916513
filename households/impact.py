"""What the coming standard will do to each commune, before its first review (the impact preview).

The standard that governs the next periodic review (PovertyStandard.objects.for_review(Y + 1),
data, not code: Decree 351/2025 after the end-2025 review) re-classifies every household's review
of year Y (its latest, the last reviewed year by default), whatever the review's workflow state.
Income lines apply exactly, by the area of the review's commune. Indicators of the new set that
the old set also had (same name) count as recorded; the others were never asked, so each result
is a range (households.poverty.reclassify_range): `*_low` and `*_high` are the least and the most
households the class can hold, `poor_low` assuming nobody is deprived in the new indicators and
`poor_high` assuming everybody is; at each bound poor + near-poor = at_or_below_new_line
(poor_low + near_poor_high and poor_high + near_poor_low). A review with a B1 score and no income
cannot be placed against an income line and is counted in `income_unknown` only.

One grouped query over the year's reviews (by commune, old standard, class, known deprivations and
income band under the new lines); the rest is adding up per commune, district (old structure) and city.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Case, Count, F, IntegerField, Max, Value, When
from django.db.models.functions import Coalesce

from households import poverty
from households.models import AdministrativeUnit, Area, PovertyStandard, Review, UnitLevel

FIELDS = [
    "unit",
    "unit_name",
    "level",
    "year",
    "standard",
    "reviewed",
    "income_unknown",
    "at_or_below_new_line",
    "poor_now",
    "near_poor_now",
    "poor_low",
    "poor_high",
    "near_poor_low",
    "near_poor_high",
    "flows_low",
    "flows_high",
]


# The counts a unit's impact holds (the near-poor bounds follow from them: near_poor_bounds).
COUNTS = ["reviewed", "income_unknown", "at_or_below_new_line", "poor_now", "near_poor_now", "poor_low", "poor_high"]


def near_poor_bounds(at_or_below: int, poor_low: int, poor_high: int) -> tuple[int, int]:
    """(least, most) near-poor households: those at or below the line that are not poor."""
    return at_or_below - poor_high, at_or_below - poor_low


BAND_ABOVE = 99  # an income above every step of its area's lines


class NoComingStandard(LookupError):
    pass


@dataclass
class UnitImpact:
    unit: AdministrativeUnit
    year: int
    standard: PovertyStandard
    reviewed: int = 0
    income_unknown: int = 0
    at_or_below_new_line: int = 0
    poor_now: int = 0
    near_poor_now: int = 0
    poor_low: int = 0
    poor_high: int = 0
    flows_low: Counter = field(default_factory=Counter)  # "poor→near_poor" → households
    flows_high: Counter = field(default_factory=Counter)

    @property
    def near_poor_low(self) -> int:
        return near_poor_bounds(self.at_or_below_new_line, self.poor_low, self.poor_high)[0]

    @property
    def near_poor_high(self) -> int:
        return near_poor_bounds(self.at_or_below_new_line, self.poor_low, self.poor_high)[1]

    def add(self, other: UnitImpact) -> None:
        for name in COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.flows_low.update(other.flows_low)
        self.flows_high.update(other.flows_high)

    def record(self) -> dict:
        return {
            "unit": self.unit.code,
            "unit_name": self.unit.name,
            "level": self.unit.level,
            "year": self.year,
            "standard": self.standard.code,
            "reviewed": self.reviewed,
            "income_unknown": self.income_unknown,
            "at_or_below_new_line": self.at_or_below_new_line,
            "poor_now": self.poor_now,
            "near_poor_now": self.near_poor_now,
            "poor_low": self.poor_low,
            "poor_high": self.poor_high,
            "near_poor_low": self.near_poor_low,
            "near_poor_high": self.near_poor_high,
            "flows_low": dict(sorted(self.flows_low.items())),
            "flows_high": dict(sorted(self.flows_high.items())),
        }


def coming_standard(year: int) -> PovertyStandard:
    standard = PovertyStandard.objects.for_review(year + 1)
    if standard is None:
        raise NoComingStandard(f"Không có chuẩn nghèo cho kỳ rà soát định kỳ năm {year + 1}.")
    return standard


def default_year() -> int | None:
    """The year to preview from: the latest reviewed year after which the standard changes (in
    December 2026, 2025: the end-2026 review under way is already under Decree 351), else the
    latest reviewed year."""
    latest = None
    for year in _reviewed_years_descending():
        latest = latest or year
        current, coming = PovertyStandard.objects.for_review(year), PovertyStandard.objects.for_review(year + 1)
        if coming is not None and coming != current:
            return year
    return latest


def _reviewed_years_descending() -> Iterator[int]:
    """The years with reviews, latest first, one indexed lookup each: a DISTINCT would read every
    review (0.4 s at Hanoi's size)."""
    year = Review.objects.aggregate(year=Max("year"))["year"]
    while year is not None:
        yield year
        year = Review.objects.filter(year__lt=year).aggregate(year=Max("year"))["year"]


def _carried_bits(old: PovertyStandard, new: PovertyStandard) -> tuple[list[int], int]:
    """Bits of the old review's flags that the new set also asks (same indicator name), and how
    many of the new set's indicators the old review did not ask."""
    new_names = set(new.indicators.values_list("name", flat=True))
    carried = [number - 1 for number, name in old.indicators.values_list("number", "name") if name in new_names]
    return carried, len(new_names) - len(carried)


def preview(year: int, unit_code: str | None = None) -> list[UnitImpact]:
    """Every unit's impact (communes, their districts, the city), or those of `unit_code`."""
    new = coming_standard(year)
    communes: dict[int, UnitImpact] = {}
    units = {unit.pk: unit for unit in AdministrativeUnit.objects.all()}
    _add_reviews(communes, units, year, new)
    city = next(unit for unit in units.values() if unit.level == UnitLevel.CITY)
    totals = {city.pk: UnitImpact(city, year, new)}
    for impact in communes.values():
        parent = units.get(impact.unit.parent_id)
        above = [city] + ([parent] if parent is not None and parent.level == UnitLevel.DISTRICT else [])
        for unit in above:
            totals.setdefault(unit.pk, UnitImpact(unit, year, new)).add(impact)
    result = [*communes.values(), *totals.values()]
    order = {UnitLevel.CITY: 0, UnitLevel.DISTRICT: 1, UnitLevel.COMMUNE: 2}
    result.sort(key=lambda impact: (order[impact.unit.level], impact.unit.code))
    if unit_code is not None:
        result = [impact for impact in result if impact.unit.code == unit_code]
    return result


def _asked(slot: int) -> Case:
    """1 where the review's flag `slot` (0-based) is set, else 0."""
    return Case(When(**{f"bit_{slot}__gt": 0}, then=Value(1)), default=Value(0))


def _grouped_by_hashing(rows) -> list[dict]:
    """The rows of a grouped query, grouped in a hash table rather than by sorting.

    PostgreSQL estimates the groups of an expression from its columns: bands of the income look
    to it like as many groups as incomes (2 million at Hanoi's size, where there are a few
    thousand), so it sorts every review, on disk. At Hanoi's size hashing takes 1.9 s where
    sorting took 2.6 s (bench/README.md, impact).
    """
    if connection.vendor != "postgresql":
        return list(rows)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
        return list(rows)


def _add_reviews(communes, units, year: int, new: PovertyStandard) -> None:
    # Every old standard in one query (a year's reviews are under one or two): which of the new
    # set's indicators each asked, and how many it did not.
    in_force = PovertyStandard.objects.for_review(year)
    standards = sorted(PovertyStandard.objects.all(), key=lambda old: old != in_force)  # the likeliest first
    olds = {old.pk: _carried_bits(old, new) for old in standards}
    slots = sorted({i for carried, _ in olds.values() for i in carried})
    bits = {f"bit_{i}": F("deprivation_flags").bitand(1 << i) for i in slots}
    known = Case(
        *(When(standard_id=pk, then=sum((_asked(i) for i in carried), Value(0))) for pk, (carried, _) in olds.items()),
        default=Value(0),
        output_field=IntegerField(),
    )
    # Grouped by income band, not by income: the class depends on the income only through the
    # new lines (poverty.income_steps), so a band's reviews classify as its representative income.
    steps = {area: poverty.income_steps(new.lines(area)) for area in [*Area.values, ""]}  # "": no area, as rural
    band = Case(
        When(income_per_capita__isnull=True, then=Value(-1)),
        *(
            When(commune__area=area, income_per_capita__lte=step, then=Value(k))
            for area, area_steps in steps.items()
            for k, step in enumerate(area_steps)
        ),
        default=Value(BAND_ABOVE),
        output_field=IntegerField(),
    )
    rows = (
        Review.objects.filter(year=year)
        .alias(**bits)
        .annotate(known=Coalesce(known, Value(0), output_field=IntegerField()), band=band)
        .values("commune_id", "commune__area", "standard_id", "poverty_class", "known", "band")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in _grouped_by_hashing(rows):
        commune_id = row["commune_id"]
        if commune_id not in communes:
            communes[commune_id] = UnitImpact(units[commune_id], year, new)
        impact, n, now = communes[commune_id], row["n"], row["poverty_class"]
        impact.reviewed += n
        impact.poor_now += n if now == poverty.PovertyClass.POOR else 0
        impact.near_poor_now += n if now == poverty.PovertyClass.NEAR_POOR else 0
        if row["band"] < 0:
            impact.income_unknown += n
            continue
        area = row["commune__area"]
        lines = new.lines(area)
        income = poverty.band_income(steps[area], min(row["band"], len(steps[area])))
        result = poverty.reclassify_range(
            lines,
            income_per_capita=income,
            known_deprivations=row["known"],
            unknown_indicators=olds[row["standard_id"]][1],
        )
        if income <= lines.poverty_line:
            impact.at_or_below_new_line += n
        impact.poor_low += n if result.low == poverty.PovertyClass.POOR else 0
        impact.poor_high += n if result.high == poverty.PovertyClass.POOR else 0
        impact.flows_low[f"{now}→{result.low.value}"] += n
        impact.flows_high[f"{now}→{result.high.value}"] += n
