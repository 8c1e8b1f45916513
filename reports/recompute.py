"""Recompute the indicator snapshot of every unit and year from the stored reviews.

Formulas: ../shared/DOMAIN.md §4. Counts come from grouped SQL over the reviews, grouped by
(year, commune); districts and the city are sums of their communes, so every level adds up by
construction. Only approved reviews count in the figures (the officers' workflow); the rest are
counted as `pending` so pages can mark a figure provisional.

A run is split into shards (a district with its communes; for a structure without districts,
a group of communes) so Celery can fan it out (reports.tasks); `recompute_progress` runs the
same shards one after the other in-process. Each shard writes its rows into the new run, which
is not current, so readers (reports.queries.snapshot) do not see them; `finish_run` then writes
the rows that need every shard (the city, history re-aggregated onto the 2025 units, the first
year after the restructuring) and swaps the snapshot in one transaction. A run that dies leaves
the previous snapshot current; its row is marked failed by the shard that failed or, if the
process died, once it is older than RECOMPUTE_TIMEOUT (at the start of the next run, or by the
periodic `fail_abandoned_runs` task). Runs never interleave: a run only starts when no other is
running, decided under a PostgreSQL advisory lock.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
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
COMMUNE_GROUP_SIZE = 10  # communes per shard where there are no districts (2025 structure)
DEFAULT_TIMEOUT = 900  # seconds after which a run still queued or running is considered dead

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
    """Another recompute is running; this one may not start."""

    def __init__(self, running: RecomputeRun):
        self.running = running
        since = timezone.localtime(running.started_at).strftime("%H:%M:%S %d/%m/%Y") if running.started_at else "?"
        super().__init__(f"Một lượt tính toán khác đang chạy (lượt #{running.pk}, từ {since}).")


class RunNotRunning(Exception):
    """The run was marked failed (abandoned) or finished meanwhile; its late work is dropped."""


def recompute_timeout() -> datetime.timedelta:
    return datetime.timedelta(seconds=getattr(settings, "RECOMPUTE_TIMEOUT", DEFAULT_TIMEOUT))


@dataclass
class Counts:
    values: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))

    def add(self, other: Counts) -> None:
        for name, value in other.values.items():
            self.values[name] += value

    def __getitem__(self, name: str) -> int:
        return self.values[name]


CountMap = dict[tuple[int, int], Counts]


def review_counts(years: Iterable[int], commune_ids: Iterable[int] | None = None):
    """The grouped query: one row of counts per (year, commune), over some communes only if given."""
    bits = {f"bit_{i + 1}": F("deprivation_flags").bitand(1 << i) for i in range(DEPRIVATION_SLOTS)}
    reviews = Review.objects.filter(year__in=list(years))
    if commune_ids is not None:
        reviews = reviews.filter(commune_id__in=list(commune_ids))
    return (
        reviews.alias(**bits)
        .values("year", "commune_id")
        .annotate(**{name: Count("id", filter=condition) for name, condition in COUNTS.items()})
        .order_by()
    )


def count_reviews(years: Iterable[int], commune_ids: Iterable[int] | None = None) -> CountMap:
    """(year, commune id) → counts, in one grouped query."""
    result = {}
    for row in review_counts(years, commune_ids):
        result[(row["year"], row["commune_id"])] = Counts({name: row[name] for name in COUNTS})
    return result


def dump_counts(counts: CountMap) -> list:
    """JSON-ready counts, to travel as a Celery result from a shard to the final step."""
    return [[year, commune, [c[name] for name in COUNTS]] for (year, commune), c in sorted(counts.items())]


def load_counts(dumped: Iterable[list]) -> CountMap:
    return {(year, commune): Counts(dict(zip(COUNTS, values, strict=True))) for year, commune, values in dumped}


def percent(numerator: int | None, denominator: int | None, places: int = 4) -> Decimal | None:
    if numerator is None or not denominator:
        return None
    quantum = Decimal(1).scaleb(-places)
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(quantum, rounding=ROUND_HALF_UP)


def rounded_rate(previous: int | None, current: int) -> Decimal | None:
    rate = reduction_rate(previous, current)
    return None if rate is None else rate.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


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


@dataclass(frozen=True)
class Shard:
    """The communes (and their district, if any) whose rows one subtask computes."""

    key: str
    commune_ids: tuple[int, ...]
    district_id: int | None = None

    @property
    def unit_ids(self) -> set[int]:
        return set(self.commune_ids) | ({self.district_id} if self.district_id else set())

    def as_dict(self) -> dict:
        return {"key": self.key, "commune_ids": list(self.commune_ids), "district_id": self.district_id}

    @classmethod
    def from_dict(cls, data: dict) -> Shard:
        return cls(key=data["key"], commune_ids=tuple(data["commune_ids"]), district_id=data["district_id"])


def plan_shards(plan: RunPlan, units: Units | None = None) -> list[Shard]:
    """One shard per district of each structure the run reads; groups of communes where there are none."""
    units = units or Units()
    shards = []
    for structure in sorted({structure_for_year(year) for year in plan.needed}):
        loose = []
        by_district: dict[int, list[int]] = {d.pk: [] for d in units.districts(structure)}
        for commune in units.communes(structure):
            parent = units.rollup_parent(commune)
            (by_district[parent.pk] if parent else loose).append(commune.pk)
        for district_id, commune_ids in by_district.items():
            code = units.all[district_id].code
            shards.append(Shard(key=f"{structure}:{code}", commune_ids=tuple(commune_ids), district_id=district_id))
        for start in range(0, len(loose), COMMUNE_GROUP_SIZE):
            group = tuple(sorted(loose[start : start + COMMUNE_GROUP_SIZE]))
            shards.append(Shard(key=f"{structure}:group{start // COMMUNE_GROUP_SIZE + 1}", commune_ids=group))
    return shards


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
    units: Units, plan: RunPlan, counts: CountMap, include: Include, candidates: set[int] | None = None
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
    for (year, commune_id), commune_counts in counts.items():
        commune = units.all[commune_id]
        per_unit[(year, commune_id)].add(commune_counts)
        per_unit[(year, units.city.pk)].add(commune_counts)
        district = units.parent_district.get(commune_id)
        if district:
            per_unit[(year, district.id)].add(commune_counts)
        if commune.structure == Structure.LEGACY and units.successor(commune_id):
            reaggregated[(year, units.successor(commune_id))].add(commune_counts)

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
            return per_unit.get((year - 1, unit.pk), Counts())
        return reaggregated.get((year - 1, unit.pk), Counts())

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
            rows.append(_row(unit, year, current, previous_counts(unit, year), total, source, plan.computed_at))
        if structure == Structure.LEGACY:
            # Today's units for a legacy year: history re-aggregated, flagged as such.
            for unit in units.communes(Structure.REFORM_2025):
                if (candidates is not None and unit.id not in candidates) or not include(unit, year, True):
                    continue
                previous = reaggregated.get((year - 1, unit.pk), Counts()) if plan.has_previous(year) else None
                current = reaggregated.get((year, unit.pk), Counts())
                total, source = unit_total(unit, year, units.predecessors.get(unit.pk, []))
                rows.append(_row(unit, year, current, previous, total, source, plan.computed_at, reaggregated=True))
    return rows


def compute_values(years: list[int], computed_at) -> list[IndicatorValue]:
    """Every indicator of every unit for these years (unsaved rows, without a run)."""
    all_years = frozenset(Review.objects.values_list("year", flat=True).distinct().order_by())
    plan = RunPlan(years=tuple(sorted(set(years))), years_with_data=all_years, computed_at=computed_at)
    return build_rows(Units(), plan, count_reviews(plan.needed), lambda unit, year, reaggregated: True)


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


# The run's life: start (refused while another runs) → shards → finish (swap) | failed.


def _lock() -> None:
    """Serialise the short start and swap steps of every run (SQLite serialises writers itself)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_ID])


def _unsynchronised_commit() -> None:
    """A shard's rows need not wait for the disk: the final step's commit flushes them with it,
    and rows lost in a crash only belong to a run that can no longer finish."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def fail_abandoned_runs(*, now: datetime.datetime | None = None) -> int:
    """Mark failed the runs that have been queued or running longer than RECOMPUTE_TIMEOUT.

    Nothing else can notice a worker killed mid-run or a database restarted under it: the run's
    row would stay `running` and block every later run.
    """
    cutoff = (now or timezone.now()) - recompute_timeout()
    minutes = int(recompute_timeout().total_seconds() // 60)
    running = RecomputeRun.objects.filter(status=RunStatus.RUNNING, started_at__lt=cutoff).update(
        status=RunStatus.FAILED,
        finished_at=timezone.now(),
        error=f"Bị bỏ dở: quá {minutes} phút chưa xong (worker bị dừng hoặc cơ sở dữ liệu khởi động lại).",
    )
    queued = RecomputeRun.objects.filter(status=RunStatus.QUEUED, created_at__lt=cutoff).update(
        status=RunStatus.FAILED,
        finished_at=timezone.now(),
        error=f"Bị bỏ dở: quá {minutes} phút không có worker nhận.",
    )
    return running + queued


def start_run(run: RecomputeRun) -> RunPlan:
    """Mark the run running and decide what it computes; RecomputeBusy while another run is running."""
    with transaction.atomic():
        _lock()
        fail_abandoned_runs()
        running = RecomputeRun.objects.filter(status=RunStatus.RUNNING).exclude(pk=run.pk).first()
        if running:
            raise RecomputeBusy(running)
        run.status, run.started_at, run.error = RunStatus.RUNNING, timezone.now(), ""
        run.save(update_fields=["status", "started_at", "error"])
    return plan_run(year=run.year, computed_at=run.started_at)


def refuse_run(run: RecomputeRun, busy: RecomputeBusy) -> None:
    run.status, run.finished_at, run.error = RunStatus.FAILED, timezone.now(), f"Từ chối: {busy}"
    run.save(update_fields=["status", "finished_at", "error"])


def fail_run(run_id: int, exc: BaseException) -> None:
    """Record the failure on the run's row, unless it already ended (a late shard of a dead run)."""
    RecomputeRun.objects.filter(pk=run_id, status__in=[RunStatus.QUEUED, RunStatus.RUNNING]).update(
        status=RunStatus.FAILED, finished_at=timezone.now(), error=f"{exc.__class__.__name__}: {exc}"[:2000]
    )


def _check_running(run_id: int, plan: RunPlan, *, lock: bool = False) -> RecomputeRun:
    """The run, if it is still running the plan this work belongs to.

    The start time tells a redelivered message of an earlier incarnation (a database restored,
    ids reused) from work of this one.
    """
    runs = RecomputeRun.objects.select_for_update() if lock else RecomputeRun.objects
    run = runs.filter(pk=run_id).first()
    if run is None or run.status != RunStatus.RUNNING or run.started_at != plan.computed_at:
        state = run.get_status_display() if run else "không tồn tại"
        raise RunNotRunning(f"Lượt #{run_id} không còn chạy ({state}); bỏ kết quả.")
    return run


def compute_shard(
    run_id: int, plan: RunPlan, shard: Shard, units: Units | None = None, counts: CountMap | None = None
) -> list:
    """Write one shard's rows into the (not current) run; return its counts for `finish_run`.

    The shard counts its own communes' reviews, unless given the counts. Idempotent: a shard
    run twice (a redelivered task) replaces its own rows.
    """
    try:
        _check_running(run_id, plan)
        units = units or Units()
        if counts is None:
            counts = count_reviews(plan.needed, shard.commune_ids)
        write_rows(run_id, plan, shard.unit_ids, shard_rows(plan, shard, units, counts))
    except RunNotRunning:
        raise
    except Exception as exc:
        logger.exception("recompute %s: shard %s failed", run_id, shard.key)
        fail_run(run_id, exc)
        raise
    return dump_counts(counts)


def shard_rows(plan: RunPlan, shard: Shard, units: Units, counts: CountMap) -> list[IndicatorValue]:
    """The rows of a shard's own communes and district (pure: from the counts and the units)."""
    own = shard.unit_ids

    def include(unit, year, reaggregated):
        return not reaggregated and unit.pk in own and not plan.crosses_structures(year)

    return build_rows(units, plan, counts, include, candidates=own)


def write_rows(run_id: int, plan: RunPlan, unit_ids: set[int], rows: list[IndicatorValue]) -> None:
    """Replace the run's own rows of these units, if the run is still running."""
    with transaction.atomic():
        _unsynchronised_commit()
        _check_running(run_id, plan)
        IndicatorValue.objects.filter(run_id=run_id, unit_id__in=unit_ids, reaggregated=False).delete()
        for value in rows:
            value.run_id = run_id
        insert_values(rows)


def finish_run(run_id: int, plan: RunPlan, shard_counts: Iterable[list], units: Units | None = None) -> RecomputeRun:
    """Write the rows that need every shard, then make the run current, in one transaction."""
    try:
        units = units or Units()
        counts: CountMap = {}
        for dumped in shard_counts:
            counts.update(load_counts(dumped))

        def include(unit, year, reaggregated):
            return reaggregated or unit.is_city or plan.crosses_structures(year)

        candidates = {units.city.id} | {unit.id for unit in units.communes(Structure.REFORM_2025)}
        rows = build_rows(units, plan, counts, include, candidates=candidates)
        with transaction.atomic():
            _lock()
            run = _check_running(run_id, plan, lock=True)
            current = RecomputeRun.objects.select_for_update().filter(is_current=True).first()
            # A retried final step replaces its own rows and leaves the shards' rows alone.
            crossing = [year for year in plan.years if plan.crosses_structures(year)]
            IndicatorValue.objects.filter(run_id=run_id).filter(
                Q(reaggregated=True) | Q(unit=units.city) | Q(year__in=crossing) | ~Q(year__in=plan.years)
            ).delete()
            if plan.only_year is not None and current:
                rows += _copy_other_years(current, exclude_year=plan.only_year)
            for value in rows:
                value.run_id = run_id
            insert_values(rows)
            RecomputeRun.objects.filter(is_current=True).update(is_current=False)
            run.status, run.finished_at, run.is_current = RunStatus.SUCCEEDED, timezone.now(), True
            run.rows = IndicatorValue.objects.filter(run_id=run_id).count()
            run.save(update_fields=["status", "finished_at", "rows", "is_current"])
            # Keep the previous snapshot's rows one run longer; drop anything older.
            keep = [run.pk] + ([current.pk] if current else [])
            IndicatorValue.objects.exclude(run_id__in=keep).delete()
    except RunNotRunning:
        raise
    except Exception as exc:
        logger.exception("recompute %s: final step failed", run_id)
        fail_run(run_id, exc)
        raise
    return run


INSERTED_FIELDS = [f for f in IndicatorValue._meta.concrete_fields if not f.primary_key]


def insert_values(rows: list[IndicatorValue]) -> None:
    """bulk_create, or on PostgreSQL one COPY of plain values: Django's per-value preparation
    costs more than the whole grouped query at Hanoi's scale."""
    if connection.vendor != "postgresql":
        IndicatorValue.objects.bulk_create(rows, batch_size=2000)
        return
    json_fields = {f.attname for f in INSERTED_FIELDS if f.get_internal_type() == "JSONField"}

    def cell(row: IndicatorValue, attname: str):
        value = getattr(row, attname)
        if value is None:
            return NULL
        return json.dumps(value) if attname in json_fields else value

    stream = io.StringIO()
    writer = csv.writer(stream)
    for row in rows:
        writer.writerow([cell(row, f.attname) for f in INSERTED_FIELDS])
    stream.seek(0)
    columns = ", ".join(f.column for f in INSERTED_FIELDS)
    sql = f"COPY {IndicatorValue._meta.db_table} ({columns}) FROM STDIN WITH (FORMAT csv, NULL '{NULL}')"
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(sql, stream)


NULL = r"\N"


def _copy_other_years(current: RecomputeRun, exclude_year: int) -> list[IndicatorValue]:
    copies = []
    for value in IndicatorValue.objects.filter(run=current).exclude(year=exclude_year):
        value.pk = None
        copies.append(value)
    return copies


def recompute_progress(
    *, year: int | None = None, requested_by: str = "", run: RecomputeRun | None = None
) -> RecomputeRun:
    """Compute a new snapshot and make it current, in this process; the run row records how it went.

    The same shards' rows as the Celery fan-out (reports.tasks.recompute_all), from one scan and
    written in one statement.
    """
    if run is None:
        run = RecomputeRun.objects.create(requested_by=requested_by, year=year)
    try:
        plan = start_run(run)
    except RecomputeBusy as busy:
        refuse_run(run, busy)
        raise
    try:
        units = Units()
        counts = count_reviews(plan.needed)  # one scan; the Celery shards each scan their own communes
        by_commune: dict[int, CountMap] = defaultdict(dict)
        for key, value in counts.items():
            by_commune[key[1]][key] = value
        shards = plan_shards(plan, units)
        rows = []
        for shard in shards:
            mine = {key: value for commune in shard.commune_ids for key, value in by_commune[commune].items()}
            rows += shard_rows(plan, shard, units, mine)
        write_rows(run.pk, plan, set().union(*(shard.unit_ids for shard in shards)), rows)  # one write
        run = finish_run(run.pk, plan, [dump_counts(counts)], units)
    except BaseException as exc:  # KeyboardInterrupt too: the row must not stay "running"
        fail_run(run.pk, exc)
        run.refresh_from_db()
        raise
    return run
