"""The life of a recompute run: start (refused while another runs), shards, finish (swap) or failed.

A run is split into shards (a district with its communes; for a structure without districts,
a group of communes) so Celery can fan it out (reports.tasks); `recompute_progress` runs the
same shards one after the other in-process. Each shard writes its rows into the new run, which
is not current, so readers do not see them; `finish_run` then writes the rows that need every
shard (the city, history re-aggregated onto the 2025 units, the first year after the
restructuring) and swaps the snapshot in one transaction. A run that dies leaves the previous
snapshot current; its row is marked failed by the shard that failed or, if the process died, once
its heartbeat (beaten when it is sent, while it waits and at every step) is older than
RECOMPUTE_HEARTBEAT_TIMEOUT, two minutes (at the start of the next run, or by the periodic
`fail_abandoned_runs` sweep, every minute). Runs never interleave: a run only starts when no
other is running, decided under a PostgreSQL advisory lock.
"""

from __future__ import annotations

import csv
import datetime
import functools
import io
import json
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from households import impact
from households.models import Structure, structure_for_year
from reports.models import ImpactValue, IndicatorValue, RecomputeRun, RunStatus
from reports.recompute.counting import (
    CountMap,
    MoveMap,
    RunPlan,
    Units,
    build_rows,
    count_reviews,
    dump_counts,
    dump_moves,
    load_counts,
    moved_counts,
    plan_run,
)

logger = logging.getLogger(__name__)
T = TypeVar("T")

ADVISORY_LOCK_ID = 5_120_211  # any constant shared by every recompute
SHARD_COMMUNES = 40  # about this many communes per shard (RECOMPUTE_SHARD_COMMUNES)
DEFAULT_TIMEOUT = 900  # seconds after which a run still queued or running is considered dead
DEFAULT_HEARTBEAT_TIMEOUT = 120  # seconds without a sign of life after which a run's worker is dead


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


def heartbeat_timeout() -> datetime.timedelta:
    return datetime.timedelta(seconds=getattr(settings, "RECOMPUTE_HEARTBEAT_TIMEOUT", DEFAULT_HEARTBEAT_TIMEOUT))


def beat(run_id: int) -> None:
    """The run's worker is alive (one UPDATE, outside any long transaction)."""
    RecomputeRun.objects.filter(pk=run_id).update(heartbeat_at=timezone.now())


def _alive_since(now: datetime.datetime) -> Q:
    """Runs whose last sign of life (heartbeat, else start, else creation) is recent."""
    since = now - heartbeat_timeout()
    return (
        Q(heartbeat_at__gte=since)
        | Q(heartbeat_at__isnull=True, started_at__gte=since)
        | Q(heartbeat_at__isnull=True, started_at__isnull=True, created_at__gte=since)
    )


@dataclass(frozen=True)
class Shard:
    """The communes (and the districts they make up, if any) whose rows one subtask computes."""

    key: str
    commune_ids: tuple[int, ...]
    district_ids: tuple[int, ...] = ()

    @property
    def unit_ids(self) -> set[int]:
        return set(self.commune_ids) | set(self.district_ids)

    def as_dict(self) -> dict:
        return {"key": self.key, "commune_ids": list(self.commune_ids), "district_ids": list(self.district_ids)}

    @classmethod
    def from_dict(cls, data: dict) -> Shard:
        return cls(key=data["key"], commune_ids=tuple(data["commune_ids"]), district_ids=tuple(data["district_ids"]))


def shard_size() -> int:
    return getattr(settings, "RECOMPUTE_SHARD_COMMUNES", SHARD_COMMUNES)


def plan_shards(plan: RunPlan, units: Units | None = None) -> list[Shard]:
    """Shards of about `shard_size()` communes per structure the run reads: whole districts taken
    together (a district's rows need all its communes), and groups of communes where there are none.

    A shard pays a fixed cost (a task, its checks, its writes) besides counting its communes;
    fewer, larger shards keep that cost small while still giving every worker a share.
    """
    units = units or Units()
    size = shard_size()
    shards = []
    for structure in sorted({structure_for_year(year) for year in plan.needed}):
        loose = []
        by_district: dict[int, list[int]] = {d.pk: [] for d in units.districts(structure)}
        for commune in units.communes(structure):
            parent = units.rollup_parent(commune)
            (by_district[parent.pk] if parent else loose).append(commune.pk)
        communes: list[int] = []
        districts: list[int] = []
        for district_id, commune_ids in by_district.items():
            communes += commune_ids
            districts.append(district_id)
            if len(communes) >= size:
                shards.append(_shard(structure, len(shards), communes, districts))
                communes, districts = [], []
        if districts:
            shards.append(_shard(structure, len(shards), communes, districts))
        groups = -(-len(loose) // size)  # ceiling: as many groups as needed, of even sizes
        for group in range(groups):
            shards.append(_shard(structure, len(shards), loose[group::groups], []))
    return shards


def _shard(structure: int, number: int, commune_ids: list[int], district_ids: list[int]) -> Shard:
    return Shard(
        key=f"{structure}:{number + 1}", commune_ids=tuple(sorted(commune_ids)), district_ids=tuple(district_ids)
    )


def units_of_run(run_id: int, plan: RunPlan) -> Units:
    """The unit tree, read once per run in each worker process: the run's shards share it."""
    return _units_of_run(run_id, plan.computed_at)


@functools.lru_cache(maxsize=1)
def _units_of_run(run_id: int, computed_at: datetime.datetime) -> Units:
    return Units()


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
    """Mark failed the runs whose worker died: running without a heartbeat for two minutes (or
    longer than RECOMPUTE_TIMEOUT), queued longer than RECOMPUTE_TIMEOUT once sent.

    Nothing else can notice a worker killed mid-run or a database restarted under it: the run's
    row would stay `running` and block every later run. A run never sent (the broker was down)
    is not failed: `redispatch_runs` sends it when the broker is back.
    """
    now = now or timezone.now()
    cutoff = now - recompute_timeout()
    silent = int(heartbeat_timeout().total_seconds())
    minutes = int(recompute_timeout().total_seconds() // 60)
    running = (
        RecomputeRun.objects.filter(status=RunStatus.RUNNING)
        .filter(~_alive_since(now) | Q(started_at__lt=cutoff))
        .update(
            status=RunStatus.FAILED,
            finished_at=timezone.now(),
            error=f"Bị bỏ dở: {silent} giây không có tín hiệu hoặc quá {minutes} phút chưa xong "
            "(worker bị dừng hoặc cơ sở dữ liệu khởi động lại).",
        )
    )
    queued = RecomputeRun.objects.filter(
        status=RunStatus.QUEUED, created_at__lt=cutoff, dispatched_at__isnull=False
    ).update(
        status=RunStatus.FAILED,
        finished_at=timezone.now(),
        error=f"Bị bỏ dở: quá {minutes} phút không có worker nhận.",
    )
    return running + queued


def runs_to_redispatch(*, now: datetime.datetime | None = None) -> list[RecomputeRun]:
    """Queued runs whose message is lost: never sent (the broker was down), or sent and silent for
    two minutes (a broker restarted without its queue). The newest per year is sent again; the
    older ones are superseded by it (every run recomputes everything it covers)."""
    now = now or timezone.now()
    stale = list(
        RecomputeRun.objects.filter(status=RunStatus.QUEUED)
        .filter(Q(dispatched_at__isnull=True) | ~_alive_since(now))
        .order_by("-created_at")
    )
    newest: dict[int | None, RecomputeRun] = {}
    for run in stale:
        newest.setdefault(run.year, run)
    superseded = [run.pk for run in stale if newest[run.year] is not run]
    RecomputeRun.objects.filter(pk__in=superseded, status=RunStatus.QUEUED).update(
        status=RunStatus.FAILED, finished_at=now, error="Thay bằng một lượt mới hơn (tin nhắn hàng đợi bị mất)."
    )
    return list(newest.values())


def start_run(run: RecomputeRun) -> RunPlan:
    """Mark the run running and decide what it computes; RecomputeBusy while another run is running,
    RunNotRunning when the run is no longer queued (a second delivery of its message)."""
    with transaction.atomic():
        _lock()
        fail_abandoned_runs()
        status = RecomputeRun.objects.filter(pk=run.pk).values_list("status", flat=True).first()
        if status != RunStatus.QUEUED:
            raise RunNotRunning(f"Lượt #{run.pk} không còn chờ ({status}).")
        running = RecomputeRun.objects.filter(status=RunStatus.RUNNING).exclude(pk=run.pk).first()
        if running:
            raise RecomputeBusy(running)
        run.status, run.started_at, run.error = RunStatus.RUNNING, timezone.now(), ""
        run.heartbeat_at = run.started_at
        run.save(update_fields=["status", "started_at", "error", "heartbeat_at"])
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
        beat(run_id)
        units = units or units_of_run(run_id, plan)
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


def compute_impact(run_id: int, plan: RunPlan) -> list[dict]:
    """The coming standard's impact preview for the run (`impact_values`), computed beside the shards
    (it reads the reviews, not their counts) and handed to `finish_run`."""
    return _beside_shards(run_id, plan, "impact preview", impact_values)


def compute_moves(run_id: int, plan: RunPlan) -> list:
    """The history that moved to a 2025 unit other than its commune's primary successor
    (`moved_counts`), computed beside the shards and handed to `finish_run` (`load_moves`)."""
    return _beside_shards(run_id, plan, "moved history", lambda: dump_moves(moved_counts(plan.needed)))


def _beside_shards(run_id: int, plan: RunPlan, what: str, compute: Callable[[], T]) -> T:
    """Work of a still-running run that reads the reviews beside the shards; its failure fails the run."""
    try:
        _check_running(run_id, plan)
        beat(run_id)
        return compute()
    except RunNotRunning:
        raise
    except Exception as exc:
        logger.exception("recompute %s: %s failed", run_id, what)
        fail_run(run_id, exc)
        raise


def finish_run(
    run_id: int,
    plan: RunPlan,
    shard_counts: Iterable[list],
    units: Units | None = None,
    impact: list[dict] | None = None,
    moves: MoveMap | None = None,
) -> RecomputeRun:
    """Write the rows that need every shard, then make the run current, in one transaction; the
    impact preview and the moved history are computed here unless given (the Celery fan-out
    computes them beside the shards)."""
    try:
        beat(run_id)
        units = units or Units()
        counts: CountMap = {}
        for dumped in shard_counts:
            counts.update(load_counts(dumped))

        def include(unit, year, reaggregated):
            return reaggregated or unit.is_city or plan.crosses_structures(year)

        candidates = {units.city.id} | {unit.id for unit in units.communes(Structure.REFORM_2025)}
        moves = moved_counts(plan.needed) if moves is None else moves
        rows = build_rows(units, plan, counts, include, candidates=candidates, moves=moves)
        impact = impact_values() if impact is None else impact
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
            ImpactValue.objects.filter(run_id=run_id).delete()
            ImpactValue.objects.bulk_create([ImpactValue(run_id=run_id, **fields) for fields in impact])
            RecomputeRun.objects.filter(is_current=True).update(is_current=False)
            run.status, run.finished_at, run.is_current = RunStatus.SUCCEEDED, timezone.now(), True
            run.rows = IndicatorValue.objects.filter(run_id=run_id).count()
            run.save(update_fields=["status", "finished_at", "rows", "is_current"])
            # Keep the previous snapshot's rows one run longer; drop anything older.
            keep = [run.pk] + ([current.pk] if current else [])
            IndicatorValue.objects.exclude(run_id__in=keep).delete()
            ImpactValue.objects.exclude(run_id__in=keep).delete()
    except RunNotRunning:
        raise
    except Exception as exc:
        logger.exception("recompute %s: final step failed", run_id)
        fail_run(run_id, exc)
        raise
    return run


def impact_values() -> list[dict]:
    """The coming standard's impact on every unit, from the last reviewed year (households.impact);
    none when no standard governs the next periodic review. JSON-ready: a Celery result."""
    year = impact.default_year()
    if year is None:
        return []
    try:
        found = impact.preview(year)
    except impact.NoComingStandard:
        return []
    return [
        {
            "unit_id": item.unit.pk,
            "year": item.year,
            "standard": item.standard.code,
            **{name: getattr(item, name) for name in impact.COUNTS},
            "flows_low": dict(item.flows_low),
            "flows_high": dict(item.flows_high),
        }
        for item in found
    ]


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
