"""Section `impact`: the coming standard's impact preview against the nightly recompute.

The preview (households.impact.preview) re-classifies every household's review of one year under
the next periodic review's standard. It runs inside the nightly recompute (finish_run stores it),
so what matters is its share of the night: its time beside `recompute_progress` measured in the
same run, and beside its own floor, one grouped count of that year's reviews by commune.
"""

from __future__ import annotations

from django.db import connection


def run_section(ctx) -> dict:
    from households import impact
    from reports import recompute

    year = impact.default_year()
    sql, params = _floor_query(year)

    def floor():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()

    def preview():
        impact.preview(year)

    def nightly():
        recompute.recompute_progress(requested_by="bench")

    floor_s = ctx.summary(ctx.timed(floor, ctx.repeat))["median_s"]
    preview_s = ctx.summary(ctx.timed(preview, ctx.repeat))["median_s"]
    nightly_s = ctx.summary(ctx.timed(nightly, ctx.repeat))["median_s"]
    city = next(row for row in impact.preview(year) if row.unit.level == "city")
    return {
        "year": year,
        "reviews_of_year": city.reviewed,
        "floor_query_s": floor_s,
        "preview_s": preview_s,
        "ratio_to_floor": round(preview_s / floor_s, 2),
        "recompute_s": nightly_s,
        "preview_share_of_recompute": round(preview_s / nightly_s, 2),
        "city": {
            "at_or_below_new_line": city.at_or_below_new_line,
            "poor_low": city.poor_low,
            "poor_high": city.poor_high,
        },
        "note": (
            "preview_s: households.impact.preview over every review of the year (one grouped query per "
            "standard of that year, re-classified per group); recompute_s: recompute_progress, which "
            f"includes the preview. Medians of {ctx.repeat} after a warm-up."
        ),
    }


def _floor_query(year: int):
    """One grouped count of the year's reviews by commune: the least work that reads them once."""
    from django.db.models import Count

    from households.models import Review

    query = Review.objects.filter(year=year).values("commune_id").annotate(n=Count("id")).order_by()
    return query.query.sql_with_params()
