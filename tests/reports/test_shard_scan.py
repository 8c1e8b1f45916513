"""A recompute shard reads its own communes from two indexes: its scan grows with its share.

Each Celery shard counts the reviews of its own communes (reports.recompute.counting.count_reviews
with the shard's commune ids). The reviews of a commune lie all over the table, so a scan of the
table's pages reads far more than the shard's share; the covering index review_commune_year_counts
holds every column the kinds of review are made of, and the partial index review_poor_details the
details of the approved poor reviews (households.Review.Meta), so PostgreSQL answers both queries
from the indexes alone. If a count starts to read a column an index lacks, the plan falls back to
the table and this test says which.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Sum

from households.models import Review
from reports.recompute.counting import _poor_details, _reviews, review_counts

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="index-only scans are PostgreSQL's"),
]


def _plan(queryset, *settings: str) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        for setting in settings:
            cursor.execute(setting)
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_a_shards_counts_can_be_read_from_the_covering_index_alone():
    shard = review_counts([2024, 2025], commune_ids=[101, 102, 103])

    # Table scans off: what is left is the index, and only an index-only scan proves that every
    # column the counts read is in it.
    plan = _plan(shard, "SET LOCAL enable_seqscan = off", "SET LOCAL enable_bitmapscan = off")

    assert "Index Only Scan using review_commune_year_counts" in plan, plan


def test_a_shards_poor_details_are_read_from_the_partial_index_of_approved_poor_reviews():
    details = _poor_details(_reviews([2024, 2025], commune_ids=[101, 102, 103]), "year", "commune_id")
    # On an empty table an index of the class alone looks as cheap: the other indexes go (inside
    # the test's transaction, rolled back after it) so that only the partial index can serve.
    _drop_indexes_but("review_poor_details")

    plan = _plan(details, "SET LOCAL enable_seqscan = off", "SET LOCAL enable_bitmapscan = off")

    assert "Index Only Scan using review_poor_details" in plan, plan


def _drop_indexes_but(kept: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid = 'households_review'::regclass"
            " AND NOT indisprimary AND NOT indisunique"
        )
        for (name,) in cursor.fetchall():
            if name != kept:
                cursor.execute(f'DROP INDEX "{name}"')


def test_a_count_of_a_column_outside_the_index_reads_the_table():
    # The check above can fail: income is not in the index, so this query cannot be index-only.
    query = (
        Review.objects.filter(commune_id__in=[101], year__in=[2025])
        .values("year")
        .annotate(income=Sum("income_per_capita"))
        .order_by()
    )

    plan = _plan(query, "SET LOCAL enable_seqscan = off", "SET LOCAL enable_bitmapscan = off")

    assert "Index Only Scan using review_commune_year_counts" not in plan, plan
