"""Section `recompute`: the full recompute against its floor, in-process and on Celery workers.

The floor is the grouped query the recompute itself is built on (reports.recompute.review_counts:
how many reviews of each kind per year and commune, with no per-review condition) run once over
every review: the least work that reads every review once. The recompute adds the shards' queries,
the rows of every unit and level, the writes and the swap. Goal: within 2× the floor.

The nightly job runs on Celery as a chord of shards (reports.tasks.recompute_all). This section
starts a real worker (`celery -A povertyplan worker --concurrency N`) against the bench database
and a real broker, for N = 1, 2 and 4 processes (`--workers`), and times a run from dispatch to the swap:
each shard counts its own communes (from the covering index review_commune_year_counts and the
partial index review_poor_details), so the fan-out's reads add up to one scan, not one per shard;
the impact preview and the moved history run beside the shards.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
RUN_TIMEOUT_S = 600


def run_section(ctx) -> dict:
    from households.models import Review
    from reports import recompute
    from reports.models import RecomputeRun

    years = sorted(Review.objects.values_list("year", flat=True).distinct().order_by())
    sql, params = recompute.review_counts(years).query.sql_with_params()

    def floor():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()

    def synchronous():
        recompute.recompute_progress(requested_by="bench")

    floor_s = ctx.summary(ctx.timed(floor, ctx.repeat))["median_s"]
    sync_s = ctx.summary(ctx.timed(synchronous, ctx.repeat))["median_s"]
    current = RecomputeRun.objects.current()
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_parallel_workers_per_gather")
        parallel = cursor.fetchone()[0]
    result = {
        "reviews": Review.objects.count(),
        "years": years,
        "snapshot_rows": current.rows,
        "shards": len(recompute.plan_shards(recompute.plan_run(year=None, computed_at=current.started_at))),
        "cpus": os.cpu_count(),
        "floor_query_s": floor_s,
        "recompute_s": sync_s,
        "ratio": round(sync_s / floor_s, 2),
        "goal_ratio": 2.0,
        "met": sync_s <= 2 * floor_s,
    }
    broker = settings.CELERY_BROKER_URL
    if not _broker_answers():
        result["celery"] = f"not measured: the broker {broker} does not answer (set BENCH_BROKER_URL)"
    else:
        for processes in ctx.workers:
            seconds = ctx.summary(_on_celery_workers(ctx, processes))["median_s"]
            result[f"celery_{processes}_workers_s"] = seconds
            result[f"ratio_celery_{processes}_workers"] = round(seconds / floor_s, 2)
            result[f"celery_{processes}_workers_vs_recompute"] = round(seconds / sync_s, 2)
    result["note"] = (
        "recompute_s: `recompute_progress` (one scan, shards one after the other, in-process); "
        "celery_N_workers_s: the nightly chord (reports.tasks.recompute_all) from dispatch to the swap, "
        f"on one `celery worker --concurrency N` over {broker}, each shard counting its own communes. "
        f"Medians of {ctx.repeat} after a warm-up; queries may use {parallel} parallel workers; "
        f"{os.cpu_count()} CPUs shared by the database, the workers and this process, so N above the CPU "
        "count measures contention, not what N machines would give."
    )
    return result


def _broker_answers() -> bool:
    from povertyplan.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception:  # noqa: BLE001 - kombu's connection errors vary by transport
        return False
    return True


def _on_celery_workers(ctx, processes: int) -> list[float]:
    """Seconds of each timed run of the nightly chord on a worker of `processes` processes."""
    from povertyplan.celery import app

    app.control.purge()
    worker = _start_worker(processes)
    try:
        _wait_until_ready(app, worker, f"bench{processes}@bench")
        return ctx.timed(_one_run, ctx.repeat)
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def _start_worker(processes: int) -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "povertyplan",
        "worker",
        "-P",
        "prefork",
        "--concurrency",
        str(processes),
        "-n",
        f"bench{processes}@bench",
        "--without-mingle",
        "--without-gossip",
        "-l",
        "warning",
    ]
    return subprocess.Popen(command, cwd=ROOT, env=os.environ.copy(), stdout=subprocess.DEVNULL)


def _wait_until_ready(app, worker: subprocess.Popen, name: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            raise RuntimeError(f"the bench's Celery worker exited with {worker.returncode}")
        if app.control.ping(destination=[name], timeout=1):
            return
    raise RuntimeError(f"the bench's Celery worker {name} did not answer within {timeout} s")


def _one_run() -> None:
    """One nightly run, dispatched as the beat would, waited for until it is current."""
    from django.utils import timezone

    from reports.models import RecomputeRun, RunStatus
    from reports.tasks import dispatch

    run = RecomputeRun.objects.create(requested_by="bench", heartbeat_at=timezone.now())
    if not dispatch(run):
        raise RuntimeError("the broker refused the bench's run")
    deadline = time.monotonic() + RUN_TIMEOUT_S
    while time.monotonic() < deadline:
        run.refresh_from_db(fields=["status", "error"])
        if run.status == RunStatus.SUCCEEDED:
            return
        if run.status == RunStatus.FAILED:
            raise RuntimeError(f"bench run {run.pk} {run.status}: {run.error}")
        time.sleep(0.02)
    raise RuntimeError(f"bench run {run.pk} did not finish within {RUN_TIMEOUT_S} s")
