"""Section `recompute`: the full recompute against its floor, one plain grouped query.

The floor is the grouped query the recompute itself is built on (reports.recompute.review_counts:
one row of counts per year and commune, every FILTER the indicators need) run once over every
review: the least work that reads every review once. The recompute adds the shards' queries,
the rows of every unit and level, the writes and the swap. Goal: within 2× the floor.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from django.db import connection


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

    def fanned_out(workers: int = 4):
        """The Celery chord's work with `workers` shards at a time (threads, own connections)."""
        run = RecomputeRun.objects.create(requested_by="bench")
        plan = recompute.start_run(run)
        units = recompute.Units()

        def shard(s):
            try:
                return recompute.compute_shard(run.pk, plan, s, units)
            finally:
                connection.close()

        with ThreadPoolExecutor(workers) as pool:
            results = list(pool.map(shard, recompute.plan_shards(plan, units)))
        recompute.finish_run(run.pk, plan, results, units)

    floor_times = ctx.timed(floor, ctx.repeat)
    sync_times = ctx.timed(synchronous, ctx.repeat)
    fan_times = ctx.timed(fanned_out, ctx.repeat)
    floor_s = ctx.summary(floor_times)["median_s"]
    sync_s = ctx.summary(sync_times)["median_s"]
    fan_s = ctx.summary(fan_times)["median_s"]
    current = RecomputeRun.objects.current()
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_parallel_workers_per_gather")
        parallel = cursor.fetchone()[0]
    return {
        "reviews": Review.objects.count(),
        "years": years,
        "snapshot_rows": current.rows,
        "shards": len(recompute.plan_shards(recompute.plan_run(year=None, computed_at=current.started_at))),
        "floor_query_s": floor_s,
        "recompute_s": sync_s,
        "ratio": round(sync_s / floor_s, 2),
        "recompute_fanned_out_4_s": fan_s,
        "ratio_fanned_out_4": round(fan_s / floor_s, 2),
        "goal_ratio": 2.0,
        "met": sync_s <= 2 * floor_s,
        "note": (
            "recompute_s: `recompute_progress` (shards one after the other, in-process); "
            "recompute_fanned_out_4_s: the same shards four at a time, as four Celery workers would run them. "
            f"Medians of {ctx.repeat} after a warm-up; the floor query may use {parallel} parallel workers."
        ),
    }
