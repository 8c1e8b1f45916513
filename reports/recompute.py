"""Recompute the indicator snapshot of every unit and year from the stored reviews.

Formulas: ../shared/DOMAIN.md §4. Counts come from one grouped SQL query over the reviews,
grouped by (year, commune); districts and the city are sums of their communes, so every level
adds up by construction. Only approved reviews count in the figures (the officers' workflow);
the rest are counted as `pending` so pages can mark a figure provisional.

The whole computation and the swap of the current snapshot happen in one transaction: readers
keep the previous snapshot until it commits, and a run that dies leaves it in place. On
PostgreSQL an advisory lock makes sure two runs never interleave.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from households.models import (
    AdministrativeUnit,
    Movement,
    PovertyClass,
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
from reports.models import IndicatorValue, RecomputeRun, RunStatus
from targets.progress import reduction_rate

logger = logging.getLogger(__name__)

ADVISORY_LOCK_ID = 5_120_211  # any constant shared by every recompute
DEPRIVATION_SLOTS = 12

APPROVED = Q(state=ReviewState.APPROVED)
POOR = APPROVED & Q(poverty_class=PovertyClass.POOR)
COUNTS = {
    "reviewed": APPROVED,
    "pending": ~APPROVED,
    "poor": POOR,
    "near_poor": APPROVED & Q(poverty_class=PovertyClass.NEAR_POOR),
    "escaped": APPROVED & Q(movement=Movement.ESCAPED_POVERTY),
    "newly_poor": APPROVED & Q(movement=Movement.NEWLY_POOR),
    "re_poor": APPROVED & Q(movement=Movement.RE_POOR),
    "escaped_near_poor": APPROVED & Q(movement=Movement.ESCAPED_NEAR_POVERTY),
    "newly_near_poor": APPROVED & Q(movement=Movement.NEWLY_NEAR_POOR),
    "re_near_poor": APPROVED & Q(movement=Movement.RE_NEAR_POOR),
    "meritorious_poor": POOR & Q(meritorious=True),
    "social_protection_poor": POOR & Q(social_protection=True),
    "no_labour_poor": POOR & Q(no_labour_capacity=True),
    "ethnic_minority_poor": POOR & Q(ethnic_minority=True),
    "female_head_poor": POOR & Q(head_sex=Sex.FEMALE),
    **{f"deprived_{i + 1}": POOR & Q(**{f"bit_{i + 1}__gt": 0}) for i in range(DEPRIVATION_SLOTS)},
}
SUMMED = [name for name in COUNTS if not name.startswith("deprived_")]


class RecomputeBusy(Exception):
    """Another recompute holds the lock."""


@dataclass
class Counts:
    values: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))

    def add(self, other: Counts) -> None:
        for name, value in other.values.items():
            self.values[name] += value

    def __getitem__(self, name: str) -> int:
        return self.values[name]


def count_reviews(years: Iterable[int]) -> dict[tuple[int, int], Counts]:
    """(year, commune id) → counts, in one grouped query."""
    bits = {f"bit_{i + 1}": F("deprivation_flags").bitand(1 << i) for i in range(DEPRIVATION_SLOTS)}
    rows = (
        Review.objects.filter(year__in=list(years))
        .alias(**bits)
        .values("year", "commune_id")
        .annotate(**{name: Count("id", filter=condition) for name, condition in COUNTS.items()})
        .order_by()
    )
    result = {}
    for row in rows:
        result[(row["year"], row["commune_id"])] = Counts({name: row[name] for name in COUNTS})
    return result


def percent(numerator: int | None, denominator: int | None, places: int = 4) -> Decimal | None:
    if numerator is None or not denominator:
        return None
    quantum = Decimal(1).scaleb(-places)
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(quantum, rounding=ROUND_HALF_UP)


def rounded_rate(previous: int | None, current: int) -> Decimal | None:
    rate = reduction_rate(previous, current)
    return None if rate is None else rate.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


class _Units:
    """The unit tree of each structure, loaded once."""

    def __init__(self) -> None:
        self.all = {unit.pk: unit for unit in AdministrativeUnit.objects.all()}
        self.city = next(unit for unit in self.all.values() if unit.level == UnitLevel.CITY)
        self.primary_successor = dict(
            Succession.objects.filter(is_primary=True).values_list("predecessor_id", "successor_id")
        )

    def communes(self, structure: int) -> list[AdministrativeUnit]:
        return [u for u in self.all.values() if u.level == UnitLevel.COMMUNE and u.structure == structure]

    def districts(self, structure: int) -> list[AdministrativeUnit]:
        return [u for u in self.all.values() if u.level == UnitLevel.DISTRICT and u.structure == structure]

    def rollup_parent(self, commune: AdministrativeUnit) -> AdministrativeUnit | None:
        """The unit a commune's counts add up to below the city: its district, if it has one."""
        parent = self.all.get(commune.parent_id)
        return parent if parent and parent.level == UnitLevel.DISTRICT else None

    def successor(self, commune_id: int) -> int | None:
        return self.primary_successor.get(commune_id)


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


def compute_values(years: list[int], computed_at) -> list[IndicatorValue]:
    """Every indicator of every unit for these years (unsaved rows, without a run)."""
    units = _Units()
    wanted = sorted(set(years))
    needed = sorted(set(wanted) | {year - 1 for year in wanted})
    counts = count_reviews(needed)
    totals = _totals(needed)
    years_with_data = {year for year, _ in counts}

    # Counts per (year, unit) at every level, in the structure of that year, plus the same
    # history re-aggregated onto the 2025 units through each old commune's primary successor.
    per_unit: dict[tuple[int, int], Counts] = defaultdict(Counts)
    reaggregated: dict[tuple[int, int], Counts] = defaultdict(Counts)
    for (year, commune_id), commune_counts in counts.items():
        commune = units.all[commune_id]
        per_unit[(year, commune_id)].add(commune_counts)
        per_unit[(year, units.city.pk)].add(commune_counts)
        district = units.rollup_parent(commune)
        if district:
            per_unit[(year, district.pk)].add(commune_counts)
        if commune.structure == Structure.LEGACY and units.successor(commune_id):
            reaggregated[(year, units.successor(commune_id))].add(commune_counts)

    def unit_total(unit: AdministrativeUnit, year: int, members: list[AdministrativeUnit]) -> tuple[int | None, str]:
        if (unit.pk, year) in totals:
            return totals[(unit.pk, year)]
        parts = [totals[(m.pk, year)] for m in members if (m.pk, year) in totals]
        if not parts:
            return None, ""
        return sum(total for total, _ in parts), "sum"

    rows: list[IndicatorValue] = []
    for year in wanted:
        structure = structure_for_year(year)
        communes = units.communes(structure)
        children: dict[int, list[AdministrativeUnit]] = defaultdict(list)
        for commune in communes:
            parent = units.rollup_parent(commune)
            if parent:
                children[parent.pk].append(commune)
        targets: list[tuple[AdministrativeUnit, Counts, Counts | None, list[AdministrativeUnit]]] = []
        has_previous = (year - 1) in years_with_data
        for unit in [units.city, *units.districts(structure), *communes]:
            members = communes if unit.is_city else children.get(unit.pk, [])
            previous = None
            if has_previous:
                previous = _previous_counts(unit, year, per_unit, reaggregated, units)
            targets.append((unit, per_unit.get((year, unit.pk), Counts()), previous, members))
        for unit, current, previous, members in targets:
            total, source = unit_total(unit, year, members)
            rows.append(_row(unit, year, current, previous, total, source, computed_at))
        if structure == Structure.LEGACY:
            # Today's units for a legacy year: history re-aggregated, flagged as such.
            for unit in units.communes(Structure.REFORM_2025):
                previous = reaggregated.get((year - 1, unit.pk), Counts()) if has_previous else None
                current = reaggregated.get((year, unit.pk), Counts())
                members = [units.all[pk] for pk, succ in units.primary_successor.items() if succ == unit.pk]
                total, source = unit_total(unit, year, members)
                rows.append(_row(unit, year, current, previous, total, source, computed_at, reaggregated=True))
    return rows


def _previous_counts(unit, year, per_unit, reaggregated, units) -> Counts:
    """A unit's counts at the start of `year` (end of year − 1), across the 2025 restructuring."""
    if structure_for_year(year - 1) == structure_for_year(year) or unit.is_city:
        return per_unit.get((year - 1, unit.pk), Counts())
    return reaggregated.get((year - 1, unit.pk), Counts())


def _row(
    unit, year, current: Counts, previous: Counts | None, total, source, computed_at, reaggregated: bool = False
) -> IndicatorValue:
    poor_start = previous["poor"] if previous else None
    near_poor_start = previous["near_poor"] if previous else None
    return IndicatorValue(
        unit=unit,
        year=year,
        reaggregated=reaggregated,
        total_households=total,
        total_households_source=source,
        reviewed=current["reviewed"],
        pending=current["pending"],
        poor=current["poor"],
        near_poor=current["near_poor"],
        poor_start=poor_start,
        near_poor_start=near_poor_start,
        poverty_rate=percent(current["poor"], total),
        near_poverty_rate=percent(current["near_poor"], total),
        **{name: current[name] for name in SUMMED if name not in ("reviewed", "pending", "poor", "near_poor")},
        ethnic_minority_poor_start=previous["ethnic_minority_poor"] if previous else None,
        deprivations_poor=[current[f"deprived_{i + 1}"] for i in range(DEPRIVATION_SLOTS)],
        poor_reduction_rate=rounded_rate(poor_start, current["poor"]),
        near_poor_reduction_rate=rounded_rate(near_poor_start, current["near_poor"]),
        computed_at=computed_at,
    )


def _lock() -> None:
    if connection.vendor != "postgresql":
        return  # SQLite serialises writers itself; the embedded default runs one worker.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [ADVISORY_LOCK_ID])
        if not cursor.fetchone()[0]:
            raise RecomputeBusy("Một lượt tính toán khác đang chạy.")


def recompute_progress(
    *, year: int | None = None, requested_by: str = "", run: RecomputeRun | None = None
) -> RecomputeRun:
    """Compute a new snapshot and make it current; the run row records how it went."""
    if run is None:
        run = RecomputeRun.objects.create(requested_by=requested_by, year=year)
    run.status, run.started_at = RunStatus.RUNNING, timezone.now()
    run.save(update_fields=["status", "started_at"])
    try:
        with transaction.atomic():
            _lock()
            _fail_abandoned_runs(exclude=run.pk)
            all_years = sorted(set(Review.objects.values_list("year", flat=True).distinct().order_by()))
            years = [year] if year is not None else all_years
            rows = compute_values(years, run.started_at)
            current = RecomputeRun.objects.select_for_update().filter(is_current=True).first()
            if year is not None and current:
                rows += _copy_other_years(current, exclude_year=year)
            for value in rows:
                value.run = run
            IndicatorValue.objects.bulk_create(rows, batch_size=2000)
            RecomputeRun.objects.filter(is_current=True).update(is_current=False)
            run.status, run.finished_at, run.rows, run.is_current = RunStatus.SUCCEEDED, timezone.now(), len(rows), True
            run.save(update_fields=["status", "finished_at", "rows", "is_current"])
            # Keep the previous snapshot's rows one run longer; drop anything older.
            keep = [run.pk] + ([current.pk] if current else [])
            IndicatorValue.objects.exclude(run_id__in=keep).delete()
    except Exception as exc:
        logger.exception("recompute %s failed", run.pk)
        RecomputeRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED, finished_at=timezone.now(), error=f"{exc.__class__.__name__}: {exc}"
        )
        run.refresh_from_db()
        raise
    return run


def _copy_other_years(current: RecomputeRun, exclude_year: int) -> list[IndicatorValue]:
    copies = []
    for value in IndicatorValue.objects.filter(run=current).exclude(year=exclude_year):
        value.pk = None
        copies.append(value)
    return copies


def _fail_abandoned_runs(exclude: int) -> None:
    """Runs still marked running while we hold the lock died without saying so."""
    RecomputeRun.objects.filter(status__in=[RunStatus.RUNNING]).exclude(pk=exclude).update(
        status=RunStatus.FAILED, finished_at=timezone.now(), error="Tiến trình dừng giữa chừng (worker bị dừng)."
    )
