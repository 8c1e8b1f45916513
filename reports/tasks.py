"""Celery tasks of the recompute: thin adapters over reports.recompute, taking ids.

`recompute_all(run_id)` fans a run out as a chord: one `recompute_shard` per shard (whole districts,
or groups of communes in the 2025 structure: reports.recompute.plan_shards) and, beside them, the
coming standard's impact preview (`recompute_impact`) and the history that moved to another 2025
unit (`recompute_moves`), then `finish_recompute`, which writes the city rows and swaps the
snapshot. `nightly_recompute` is what django-celery-beat calls at 01:00; `queue_recompute` is what
a service calls when an approval changes the figures.
"""

from __future__ import annotations

import datetime
import logging
import time
from collections.abc import Iterable

from celery import chord, shared_task
from django.db import transaction
from django.utils import timezone

from reports import recompute
from reports.models import RecomputeRun, RunStatus

logger = logging.getLogger(__name__)

BUSY_RETRY_SECONDS = 30  # a run that finds another running waits this long before trying again
# Sending from a web request gives up after about 2 seconds, not Celery's default of minutes.
PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0.2, "interval_step": 0.5, "interval_max": 1}


@shared_task(bind=True, name="reports.recompute_all", max_retries=None)
def recompute_all(self, run_id: int) -> str:
    """Start the run and fan it out; waits (retries) while another run is running."""
    run = RecomputeRun.objects.get(pk=run_id)
    if run.status != RunStatus.QUEUED:
        return f"run {run_id} already {run.status}"  # a redelivered message: the run went on without it
    try:
        plan = recompute.start_run(run)
    except recompute.RunNotRunning:
        return f"run {run_id} started elsewhere"  # two deliveries of one message raced
    except recompute.RecomputeBusy as busy:
        waited = timezone.now() - run.created_at
        if waited + datetime.timedelta(seconds=BUSY_RETRY_SECONDS) < recompute.recompute_timeout():
            # Waiting is a sign of life too: the sweep must not take this run for a lost one.
            RecomputeRun.objects.filter(pk=run_id).update(error=f"Đang chờ: {busy}", heartbeat_at=timezone.now())
            raise self.retry(countdown=BUSY_RETRY_SECONDS) from busy
        recompute.refuse_run(run, busy)
        return f"run {run_id} refused: {busy}"
    except Exception as exc:
        recompute.fail_run(run_id, exc)
        raise
    try:
        shards = recompute.plan_shards(plan)
        # Each shard's task result (django-celery-results, in the admin) names its run and shard
        # and the worker that ran it: which machine did what, after the fact.
        header = [
            recompute_shard.si(run_id, plan.as_dict(), shard.as_dict()).set(argsrepr=repr((run_id, shard.key)))
            for shard in shards
        ]
        # The impact preview and the moved history read the reviews, not the shards' counts: they
        # run beside the shards, first, being the longest tasks (the preview: 3.6 s of a 5.8 s run
        # at Hanoi's size, bench/README.md), so the final step only adds up and swaps.
        header[:0] = [
            recompute_impact.si(run_id, plan.as_dict()).set(argsrepr=repr((run_id, "impact"))),
            recompute_moves.si(run_id, plan.as_dict()).set(argsrepr=repr((run_id, "moves"))),
        ]
        chord(header)(finish_recompute.s(run_id, plan.as_dict()))
    except Exception as exc:  # the broker refused the subtasks
        recompute.fail_run(run_id, exc)
        raise
    return f"run {run_id}: {len(shards)} shards queued"


@shared_task(bind=True, name="reports.recompute_shard", acks_late=True)
def recompute_shard(self, run_id: int, plan: dict, shard: dict) -> list:
    started = time.monotonic()
    counts = recompute.compute_shard(run_id, recompute.RunPlan.from_dict(plan), recompute.Shard.from_dict(shard))
    _log_done(self, run_id, f"shard {shard['key']} ({len(shard['commune_ids'])} communes)", started)
    return counts


@shared_task(bind=True, name="reports.recompute_impact", acks_late=True)
def recompute_impact(self, run_id: int, plan: dict) -> dict:
    started = time.monotonic()
    impact = recompute.compute_impact(run_id, recompute.RunPlan.from_dict(plan))
    _log_done(self, run_id, f"impact preview ({len(impact)} units)", started)
    return {"impact": impact}


@shared_task(bind=True, name="reports.recompute_moves", acks_late=True)
def recompute_moves(self, run_id: int, plan: dict) -> dict:
    started = time.monotonic()
    moves = recompute.compute_moves(run_id, recompute.RunPlan.from_dict(plan))
    _log_done(self, run_id, f"moved history ({len(moves)} rows)", started)
    return {"moves": moves}


def _log_done(task, run_id: int, what: str, started: float) -> None:
    """Which worker did what, and how long it took: the log of a run spread over machines."""
    elapsed = time.monotonic() - started
    logger.info("recompute %s: %s done on %s in %.2f s", run_id, what, task.request.hostname, elapsed)


@shared_task(name="reports.finish_recompute", acks_late=True)
def finish_recompute(results: list, run_id: int, plan: dict) -> str:
    """The chord's last step: the shards' counts (lists), the impact preview and the moved
    history (dicts naming what they hold)."""
    shard_counts = [result for result in results if not isinstance(result, dict)]
    named = {key: value for result in results if isinstance(result, dict) for key, value in result.items()}
    moves = recompute.load_moves(named["moves"]) if "moves" in named else None
    run = recompute.finish_run(
        run_id, recompute.RunPlan.from_dict(plan), shard_counts, impact=named.get("impact"), moves=moves
    )
    return f"run {run.pk}: {run.rows} rows, current"


@shared_task(name="reports.nightly_recompute")
def nightly_recompute() -> int:
    """The nightly job (django-celery-beat, 01:00 Asia/Ho_Chi_Minh): a new run of every year."""
    run = RecomputeRun.objects.create(requested_by="Lịch hằng đêm", heartbeat_at=timezone.now())
    dispatch(run)
    return run.pk


@shared_task(name="reports.fail_abandoned_runs")
def fail_abandoned_runs() -> int:
    """Every minute: runs that died with their worker (or their database) are marked failed, and
    runs whose message never reached a worker (the broker was down or lost it) are sent again."""
    failed = recompute.fail_abandoned_runs()
    for run in recompute.runs_to_redispatch():
        dispatch(run)
    return failed


def recompute_on_approval(sender, *, commune, year: int, **kwargs) -> None:
    """Receiver of households.signals.official_figures_changed (an approval)."""
    queue_recompute(commune_ids=[commune.pk], years=[year], requested_by="Phê duyệt")


def queue_recompute(*, commune_ids: Iterable[int] = (), years: Iterable[int] = (), requested_by: str = "") -> None:
    """Queue a full recompute once the caller's transaction commits (e.g. a review approved).

    Every run recomputes every unit: a commune's change moves its district, the city, and the
    next year's start-of-year figures, and a full run takes seconds. Approvals that arrive while a
    run is still waiting share it instead of queuing one each.
    """
    communes, years = sorted(set(commune_ids)), sorted(set(years))
    label = requested_by or "Phê duyệt"
    if communes:
        label += f" (xã {', '.join(map(str, communes[:5]))}{'…' if len(communes) > 5 else ''}"
        label += f"; năm {', '.join(map(str, years))})" if years else ")"
    transaction.on_commit(lambda: enqueue_recompute(requested_by=label[:100]))


def enqueue_recompute(*, requested_by: str = "", year: int | None = None) -> RecomputeRun:
    """A queued run and its task, or the run already waiting to start if there is one.

    Only a run that shows a recent sign of life is shared: a queued run whose message was lost
    would otherwise absorb every later request. With the broker down the run stays queued, not
    sent, and the caller carries on (an approval is saved either way); the sweep sends it once
    the broker answers again.
    """
    now = timezone.now()
    waiting = (
        RecomputeRun.objects.filter(status=RunStatus.QUEUED, year=year, dispatched_at__isnull=False)
        .filter(heartbeat_at__gte=now - recompute.heartbeat_timeout())
        .first()
    )
    if waiting:
        return waiting
    run = RecomputeRun.objects.create(requested_by=requested_by, year=year, heartbeat_at=now)
    dispatch(run)
    return run


def dispatch(run: RecomputeRun) -> bool:
    """Send the run's task; False (logged, the run left for the sweep) when the broker is down."""
    try:
        recompute_all.apply_async((run.pk,), retry=True, retry_policy=PUBLISH_RETRY_POLICY)
    except Exception:  # noqa: BLE001 - kombu's connection errors vary by transport
        logger.warning("recompute run %s not sent: the broker does not answer", run.pk, exc_info=True)
        return False
    now = timezone.now()
    RecomputeRun.objects.filter(pk=run.pk).update(dispatched_at=now, heartbeat_at=now)
    return True
