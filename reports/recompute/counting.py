"""What a recompute counts and the snapshot rows it builds from the counts.

Formulas: docs/progress-method.md. Counts come from grouped SQL over the reviews, grouped by
(year, commune) and by the kind of review (`Kind`: its state, class, movement...), each count
a rule over kinds (`KIND_COUNTS`), plus a second query for the details of the approved poor
reviews (`POOR_DETAILS`). Districts and the city are sums of their communes, so every level adds
up by construction. Only approved reviews count in the figures (the officers' workflow); the rest are
counted as `pending` so pages can mark a figure provisional. Building rows from counts needs no
query beyond the unit tree and the resident-household totals, read once per run (`Units`).

No data is not zero: where no review of a unit-year is approved, its counts, rates and movements
are null, and `communes_reviewed` / `communes_total` say how much of the unit the figures cover.
The first year of a standard (the year its `first_year` names, e.g. end-2021 for Decree 07/2021,
end-2026 for Decree 351/2025) is a baseline: movements, start-of-year counts and reduction rates
would compare two standards and are null (docs/poverty-rules.md); households whose class changed only
because the lines moved are counted as `reclassified`. Which year is a first year comes from the
reviews' own standard, never from a list of years.
"""

from __future__ import annotations

import datetime
import functools
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Q

from households.models import (
    AdministrativeUnit,
    Movement,
    PovertyClass,
    PovertyStandard,
    Review,
    ReviewState,
    Sex,
    Structure,
    Succession,
    TotalSource,
    UnitLevel,
    UnitYear,
    structure_for_year,
)
from povertyplan.numbers import half_up
from reports.models import IndicatorValue
from targets.progress import reduction_rate

DEPRIVATION_SLOTS = 12


@dataclass(frozen=True)
class Kind:
    """One combination of the columns most counts read: the grouped query returns how many
    reviews of each (year, commune) are of each kind, and a count is a rule over kinds."""

    approved: bool
    poverty_class: str
    movement: str
    meritorious: bool
    #: The review's standard has its first periodic review this year (a baseline).
    first_year: bool


def _approved_in(poverty_class: str, *, meritorious: bool = False) -> Callable[[Kind], bool]:
    return lambda kind: kind.approved and kind.poverty_class == poverty_class and (kind.meritorious or not meritorious)


def _moved(movement: Movement) -> Callable[[Kind], bool]:
    return lambda kind: kind.approved and kind.movement == movement


#: Counts of the reviews of a kind: only approved reviews count in the figures (the rest are pending).
KIND_COUNTS: dict[str, Callable[[Kind], bool]] = {
    "reviewed_households": lambda kind: kind.approved,
    "pending": lambda kind: not kind.approved,
    "first_year_of_standard": lambda kind: kind.approved and kind.first_year,
    "reclassified": _moved(Movement.RECLASSIFIED),
    "poor": _approved_in(PovertyClass.POOR),
    "near_poor": _approved_in(PovertyClass.NEAR_POOR),
    "escaped": _moved(Movement.ESCAPED_POVERTY),
    "newly_poor": _moved(Movement.NEWLY_POOR),
    "re_poor": _moved(Movement.RE_POOR),
    "escaped_near_poor": _moved(Movement.ESCAPED_NEAR_POVERTY),
    "newly_near_poor": _moved(Movement.NEWLY_NEAR_POOR),
    "re_near_poor": _moved(Movement.RE_NEAR_POOR),
    "meritorious_poor": _approved_in(PovertyClass.POOR, meritorious=True),
    # QĐ 1362/QĐ-UBND: basically no near-poor household among families of people with meritorious service.
    "meritorious_near_poor": _approved_in(PovertyClass.NEAR_POOR, meritorious=True),
}
KIND_COLUMNS = ["state", "poverty_class", "movement", "meritorious", "standard_id"]

#: Counted among the approved poor reviews only (a percent or two of all), by a second grouped query.
POOR = Q(poverty_class=PovertyClass.POOR, state=ReviewState.APPROVED)
POOR_DETAILS = {
    "social_protection_poor": Q(social_protection=True),
    "no_labour_poor": Q(no_labour_capacity=True),
    "ethnic_minority_poor": Q(ethnic_minority=True),
    "female_head_poor": Q(head_sex=Sex.FEMALE),
    **{f"deprived_{i + 1}": Q(**{f"bit_{i + 1}__gt": 0}) for i in range(DEPRIVATION_SLOTS)},
}
COUNTS = [*KIND_COUNTS, *POOR_DETAILS]
SUMMED = [name for name in COUNTS if not name.startswith("deprived_")]
#: Compare the year with the year before: null in a standard's first year.
MOVEMENTS = ["escaped", "newly_poor", "re_poor", "escaped_near_poor", "newly_near_poor", "re_near_poor"]
#: The counts a row stores as they are (the others are coverage, movements or derived).
PLAIN_COUNTS = [
    name
    for name in SUMMED
    if name not in ("reviewed_households", "pending", "first_year_of_standard", "poor", "near_poor", *MOVEMENTS)
]


@dataclass
class Counts:
    values: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))

    def add(self, other: Counts) -> None:
        for name, value in other.values.items():
            self.values[name] += value

    def subtract(self, other: Counts) -> None:
        for name, value in other.values.items():
            self.values[name] -= value

    def __getitem__(self, name: str) -> int:
        return self.values[name]


CountMap = dict[tuple[int, int], Counts]
#: (year, old commune id, 2025 unit id) → the counts of that old commune's history that belong to
#: a 2025 unit other than its primary successor.
MoveMap = dict[tuple[int, int, int], Counts]


@dataclass
class Coverage:
    """How many communes of a unit-year have an approved review (`reviewed`) or any review
    (`started`), out of the communes in force (`total`)."""

    reviewed: int = 0
    started: int = 0
    total: int = 0

    @classmethod
    def of(cls, commune: Counts) -> Coverage:
        return cls(
            reviewed=int(commune["reviewed_households"] > 0),
            started=int(commune["reviewed_households"] + commune["pending"] > 0),
        )

    def add(self, other: Coverage) -> None:
        self.reviewed += other.reviewed
        self.started += other.started

    def within(self, total: int) -> Coverage:
        return Coverage(self.reviewed, self.started, total)


def review_counts(years: Iterable[int], commune_ids: Iterable[int] | None = None):
    """The grouped query most counts come from: how many reviews of each kind per (year, commune),
    over some communes only if given. No per-review condition: PostgreSQL only groups."""
    return _kinds(_reviews(years, commune_ids), "year", "commune_id")


def _reviews(years: Iterable[int], commune_ids: Iterable[int] | None):
    reviews = Review.objects.filter(year__in=list(years))
    return reviews if commune_ids is None else reviews.filter(commune_id__in=list(commune_ids))


def _kinds(reviews, *group_by: str):
    return reviews.values(*group_by, *KIND_COLUMNS).annotate(n=Count("*")).order_by()


def _poor_details(reviews, *group_by: str):
    bits = {f"bit_{i + 1}": F("deprivation_flags").bitand(1 << i) for i in range(DEPRIVATION_SLOTS)}
    return (
        reviews.filter(POOR)
        .alias(**bits)
        .values(*group_by)
        .annotate(**{name: Count("id", filter=condition) for name, condition in POOR_DETAILS.items()})
        .order_by()
    )


def _counted(reviews, *group_by: str) -> dict[tuple, Counts]:
    """Counts per group: the kinds' query folded through KIND_COUNTS, and the poor reviews' details.

    Grouping by kind and applying the rules in Python costs PostgreSQL one hash per review where
    a condition per count (a FILTER each) cost it every condition on every review: half the time on
    the whole table, and a third on a shard's communes, whose queries are too small for PostgreSQL
    to compile their conditions well (bench/README.md, recompute).
    """
    first_years = dict(PovertyStandard.objects.values_list("pk", "first_year"))
    result: dict[tuple, Counts] = defaultdict(Counts)
    for row in _kinds(reviews, *group_by):
        key = tuple(row[column] for column in group_by)
        kind = Kind(
            approved=row["state"] == ReviewState.APPROVED,
            poverty_class=row["poverty_class"],
            movement=row["movement"],
            meritorious=row["meritorious"],
            first_year=first_years[row["standard_id"]] == row["year"],
        )
        counts = result[key]
        for name in _counts_of(kind):
            counts.values[name] += row["n"]
    for row in _poor_details(reviews, *group_by):
        counts = result[tuple(row[column] for column in group_by)]
        for name in POOR_DETAILS:
            counts.values[name] += row[name]
    return result


@functools.lru_cache(maxsize=1024)
def _counts_of(kind: Kind) -> tuple[str, ...]:
    """The counts a review of this kind adds to (a handful of kinds make up a whole city)."""
    return tuple(name for name, rule in KIND_COUNTS.items() if rule(kind))


def moved_counts(years: Iterable[int]) -> MoveMap:
    """History that the one rule places in a 2025 unit other than its old commune's primary successor.

    A household's commune in 2025 (households.units) is that of its review in the 2025 structure
    (its household row follows its latest review), else its old commune's primary successor. Only
    a split commune can send households elsewhere, so only the history of split communes whose
    household now lives in a 2025 unit that is not the primary successor is read: one grouped query.
    """
    legacy = [year for year in years if structure_for_year(year) == Structure.LEGACY]
    if not legacy:
        return {}
    split = (
        Succession.objects.values("predecessor_id")
        .annotate(n=Count("successor_id"))
        .filter(n__gt=1)
        .values("predecessor_id")
    )
    primary = Succession.objects.filter(
        predecessor_id=OuterRef("commune_id"), successor_id=OuterRef("household__commune_id"), is_primary=True
    )
    reviews = (
        Review.objects.filter(year__in=legacy, commune_id__in=split)
        .filter(household__commune__structure=Structure.REFORM_2025)
        .exclude(Exists(primary))
    )
    return dict(_counted(reviews, "year", "commune_id", "household__commune_id"))


def count_reviews(years: Iterable[int], commune_ids: Iterable[int] | None = None) -> CountMap:
    """(year, commune id) → counts, from two grouped queries (`_counted`)."""
    return dict(_counted(_reviews(years, commune_ids), "year", "commune_id"))


def dump_counts(counts: CountMap) -> list:
    """JSON-ready counts, to travel as a Celery result from a shard to the final step."""
    return [[year, commune, [c[name] for name in COUNTS]] for (year, commune), c in sorted(counts.items())]


def load_counts(dumped: Iterable[list]) -> CountMap:
    return {(year, commune): Counts(dict(zip(COUNTS, values, strict=True))) for year, commune, values in dumped}


def dump_moves(moves: MoveMap) -> list:
    """JSON-ready moved counts, to travel as a Celery result to the final step."""
    return [[*key, [c[name] for name in COUNTS]] for key, c in sorted(moves.items())]


def load_moves(dumped: Iterable[list]) -> MoveMap:
    return {
        (year, commune, unit): Counts(dict(zip(COUNTS, values, strict=True))) for year, commune, unit, values in dumped
    }


def percent(numerator: int | None, denominator: int | None, places: int = 4) -> Decimal | None:
    if numerator is None or not denominator:
        return None
    return half_up(Decimal(numerator) * 100 / Decimal(denominator), places)


def rounded_rate(previous: int | None, current: int | None) -> Decimal | None:
    rate = reduction_rate(previous, current)
    return half_up(rate)


class Units:
    """The unit tree of each structure, loaded once."""

    def __init__(self) -> None:
        self.all = {unit.pk: unit for unit in AdministrativeUnit.objects.all()}
        self.city = next(unit for unit in self.all.values() if unit.level == UnitLevel.CITY)
        self.primary_successor = dict(
            Succession.objects.filter(is_primary=True).values_list("predecessor_id", "successor_id")
        )
        self.predecessors: dict[int, list[AdministrativeUnit]] = defaultdict(list)
        for old, new in self.primary_successor.items():
            self.predecessors[new].append(self.all[old])

        self._levels: dict[tuple[str, int], list[AdministrativeUnit]] = defaultdict(list)
        for unit in self.all.values():
            self._levels[(unit.level, unit.structure)].append(unit)
        self._totals: dict[tuple[int, ...], dict] = {}
        self.parent_district = {c.id: self.rollup_parent(c) for c in self.all.values() if c.level == UnitLevel.COMMUNE}
        self.children: dict[int, list[AdministrativeUnit]] = defaultdict(list)
        for commune_id, district in self.parent_district.items():
            if district:
                self.children[district.id].append(self.all[commune_id])

    def communes(self, structure: int) -> list[AdministrativeUnit]:
        return self._levels[(UnitLevel.COMMUNE, structure)]

    def districts(self, structure: int) -> list[AdministrativeUnit]:
        return self._levels[(UnitLevel.DISTRICT, structure)]

    def totals(self, years: list[int]) -> dict[tuple[int, int], tuple[int, str]]:
        """Total resident households per (unit id, year), read once per run."""
        key = tuple(years)
        if key not in self._totals:
            self._totals[key] = _totals(years)
        return self._totals[key]

    def rollup_parent(self, commune: AdministrativeUnit) -> AdministrativeUnit | None:
        """The unit a commune's counts add up to below the city: its district, if it has one."""
        parent = self.all.get(commune.parent_id)
        return parent if parent and parent.level == UnitLevel.DISTRICT else None

    def successor(self, commune_id: int) -> int | None:
        return self.primary_successor.get(commune_id)


@dataclass(frozen=True)
class RunPlan:
    """What a run computes, decided once when it starts and handed to every shard."""

    years: tuple[int, ...]  # the years whose rows this run writes
    years_with_data: frozenset[int]  # every year with reviews: decides whether a year has a "previous"
    computed_at: datetime.datetime
    only_year: int | None = None

    @property
    def needed(self) -> list[int]:
        return sorted(set(self.years) | {year - 1 for year in self.years})

    def has_previous(self, year: int) -> bool:
        return (year - 1) in self.years_with_data

    def crosses_structures(self, year: int) -> bool:
        """The year's start-of-year counts come from the other structure, through the succession."""
        return self.has_previous(year) and structure_for_year(year - 1) != structure_for_year(year)

    def as_dict(self) -> dict:
        return {
            "years": list(self.years),
            "years_with_data": sorted(self.years_with_data),
            "computed_at": self.computed_at.isoformat(),
            "only_year": self.only_year,
        }

    @classmethod
    def from_dict(cls, data: dict) -> RunPlan:
        return cls(
            years=tuple(data["years"]),
            years_with_data=frozenset(data["years_with_data"]),
            computed_at=datetime.datetime.fromisoformat(data["computed_at"]),
            only_year=data["only_year"],
        )


def plan_run(*, year: int | None, computed_at: datetime.datetime) -> RunPlan:
    all_years = frozenset(Review.objects.values_list("year", flat=True).distinct().order_by())
    years = (year,) if year is not None else tuple(sorted(all_years))
    return RunPlan(years=years, years_with_data=all_years, computed_at=computed_at, only_year=year)


def _totals(years: list[int]) -> dict[tuple[int, int], tuple[int, str]]:
    """(unit id, year) → (total resident households, source), carrying the latest earlier year forward."""
    stored: dict[int, dict[int, tuple[int, str]]] = defaultdict(dict)
    for unit_id, year, total, source in UnitYear.objects.values_list("unit_id", "year", "total_households", "source"):
        stored[unit_id][year] = (total, source)
    result = {}
    for unit_id, by_year in stored.items():
        for year in years:
            if year in by_year:
                result[(unit_id, year)] = by_year[year]
            else:
                earlier = [y for y in by_year if y < year]
                if earlier:
                    result[(unit_id, year)] = (by_year[max(earlier)][0], TotalSource.CARRIED_FORWARD)
    return result


Include = Callable[[AdministrativeUnit, int, bool], bool]


def build_rows(
    units: Units,
    plan: RunPlan,
    counts: CountMap,
    include: Include,
    candidates: set[int] | None = None,
    moves: MoveMap | None = None,
) -> list[IndicatorValue]:
    """The rows `include(unit, year, reaggregated)` selects among the candidate units (all if
    None), from the counts of (year, commune).

    The counts must cover every commune the selected rows add up: a shard's own communes for
    its rows, every commune for the city and the re-aggregated rows.
    """
    totals = units.totals(plan.needed)
    # Counts per (year, unit) at every level, in the structure of that year, plus the same
    # history re-aggregated onto the 2025 units through each old commune's primary successor.
    per_unit: dict[tuple[int, int], Counts] = defaultdict(Counts)
    reaggregated: dict[tuple[int, int], Counts] = defaultdict(Counts)
    # Communes with an approved review / with any review, per (year, unit), in the same pass.
    covered: dict[tuple[int, int], Coverage] = defaultdict(Coverage)
    covered_again: dict[tuple[int, int], Coverage] = defaultdict(Coverage)
    for (year, commune_id), commune_counts in counts.items():
        commune = units.all[commune_id]
        coverage = Coverage.of(commune_counts)
        targets = [(year, commune_id), (year, units.city.pk)]
        district = units.parent_district.get(commune_id)
        if district:
            targets.append((year, district.id))
        for key in targets:
            per_unit[key].add(commune_counts)
            covered[key].add(coverage)
        if commune.structure == Structure.LEGACY and units.successor(commune_id):
            reaggregated[(year, units.successor(commune_id))].add(commune_counts)
            covered_again[(year, units.successor(commune_id))].add(coverage)
    # Households of a split commune that the one rule places in another successor take their
    # history with them (moved_counts); coverage stays with the primary successor.
    for (year, commune_id, successor_id), moved in (moves or {}).items():
        primary = units.successor(commune_id)
        if primary and (year, commune_id) in counts:
            reaggregated[(year, primary)].subtract(moved)
            reaggregated[(year, successor_id)].add(moved)

    def unit_total(unit: AdministrativeUnit, year: int, members: list[AdministrativeUnit]) -> tuple[int | None, str]:
        if (unit.pk, year) in totals:
            return totals[(unit.pk, year)]
        parts = [totals[(m.pk, year)] for m in members if (m.pk, year) in totals]
        if not parts:
            return None, ""
        return sum(total for total, _ in parts), "sum"

    def previous_counts(unit: AdministrativeUnit, year: int) -> Counts | None:
        """A unit's counts at the start of `year` (end of year − 1), across the 2025 restructuring."""
        if not plan.has_previous(year):
            return None
        if not plan.crosses_structures(year) or unit.is_city:
            return per_unit.get((year - 1, unit.pk))
        return reaggregated.get((year - 1, unit.pk))

    rows: list[IndicatorValue] = []
    for year in plan.years:
        structure = structure_for_year(year)
        communes = units.communes(structure)
        in_force = [units.city, *units.districts(structure), *communes]
        if candidates is not None:
            in_force = [unit for unit in in_force if unit.id in candidates]
        for unit in in_force:
            if not include(unit, year, False):
                continue
            members = communes if unit.is_city else units.children.get(unit.id, [])
            total, source = unit_total(unit, year, members)
            current = per_unit.get((year, unit.pk), Counts())
            in_force = len(members) if unit.level != UnitLevel.COMMUNE else 1
            coverage = covered[(year, unit.pk)].within(in_force)
            rows.append(
                _row(unit, year, current, previous_counts(unit, year), total, source, plan.computed_at, coverage)
            )
        if structure == Structure.LEGACY:
            # Today's units for a legacy year: history re-aggregated, flagged as such.
            for unit in units.communes(Structure.REFORM_2025):
                if (candidates is not None and unit.id not in candidates) or not include(unit, year, True):
                    continue
                previous = reaggregated.get((year - 1, unit.pk)) if plan.has_previous(year) else None
                current = reaggregated.get((year, unit.pk), Counts())
                predecessors = units.predecessors.get(unit.pk, [])
                total, source = unit_total(unit, year, predecessors)
                coverage = covered_again[(year, unit.pk)].within(len(predecessors))
                rows.append(
                    _row(unit, year, current, previous, total, source, plan.computed_at, coverage, reaggregated=True)
                )
    return rows


def compute_values(years: list[int], computed_at) -> list[IndicatorValue]:
    """Every indicator of every unit for these years (unsaved rows, without a run)."""
    all_years = frozenset(Review.objects.values_list("year", flat=True).distinct().order_by())
    plan = RunPlan(years=tuple(sorted(set(years))), years_with_data=all_years, computed_at=computed_at)
    counts, moves = count_reviews(plan.needed), moved_counts(plan.needed)
    return build_rows(Units(), plan, counts, lambda unit, year, reaggregated: True, moves=moves)


def _row(
    unit,
    year,
    current: Counts,
    previous: Counts | None,
    total,
    source,
    computed_at,
    coverage: Coverage,
    reaggregated: bool = False,
) -> IndicatorValue:
    """One unit-year: null counts where nothing is approved; no comparison with the year before
    where the year is a standard's first (or the year before has nothing approved)."""
    has_data = current["reviewed_households"] > 0
    first_year = has_data and current["first_year_of_standard"] > 0
    comparable = previous is not None and previous["reviewed_households"] > 0 and not first_year

    def count(name: str) -> int | None:
        return current[name] if has_data else None

    def movement(name: str) -> int | None:
        return current[name] if has_data and not first_year else None

    def start(name: str) -> int | None:
        return previous[name] if comparable else None

    poor, near_poor = count("poor"), count("near_poor")
    poor_start, near_poor_start = start("poor"), start("near_poor")
    return IndicatorValue(
        unit=unit,
        year=year,
        reaggregated=reaggregated,
        total_households=total,
        total_households_source=source,
        reviewed_households=current["reviewed_households"],
        pending=current["pending"],
        communes_total=coverage.total,
        communes_reviewed=coverage.reviewed,
        communes_started=coverage.started,
        first_year_of_standard=first_year,
        poor=poor,
        near_poor=near_poor,
        poor_start=poor_start,
        near_poor_start=near_poor_start,
        poverty_rate=percent(poor, total),
        near_poverty_rate=percent(near_poor, total),
        **{name: movement(name) for name in MOVEMENTS},
        **{name: count(name) for name in PLAIN_COUNTS},
        ethnic_minority_poor_start=start("ethnic_minority_poor"),
        deprivations_poor=[current[f"deprived_{i + 1}"] for i in range(DEPRIVATION_SLOTS)] if has_data else None,
        poor_reduction_rate=rounded_rate(poor_start, poor),
        near_poor_reduction_rate=rounded_rate(near_poor_start, near_poor),
        computed_at=computed_at,
    )
