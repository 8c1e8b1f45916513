"""Rows of the pre-filled template copied from an earlier year and sent back as they were.

The pre-filled template of year Y (households.exports) fills a household not yet reviewed in Y
with its latest earlier review, year Y, and `source_year` = that earlier year. Such a row, left
unchanged, says nothing about Y: the household has not been reviewed yet. Importing it as Y's
review would copy last year's class into this year (and, once approved, turn a household that
escaped poverty back into a poor one), so the importer skips it whole, household and review, and
counts it. Any edited value, or a cleared `source_year` cell, makes the row Y's review.

One query per batch, and only for batches holding such rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from households.importing.writers import Resolved
from households.models import Review
from households.units import CommuneMap

# What the template writes from the earlier review (r.) and from the household (h.).
_STORED = (
    "household__code",
    "year",
    "commune_id",
    "household__commune_id",
    "income_per_capita",
    "b1_score",
    "deprivation_flags",
    "ethnic_minority",
    "meritorious",
    "social_protection",
    "no_labour_capacity",
    "head_sex",
    "household__head_sex",
    "household__members_count",
    "household__village",
    "household__head_name",
)


def _number(value) -> Decimal | None:
    return None if value is None else Decimal(value)


def _unchanged(item: Resolved, stored: dict, communes: CommuneMap) -> bool:
    row = item.row
    commune = communes.for_year(stored["household__commune_id"], row.year, reviewed_id=stored["commune_id"])
    return (
        commune is not None
        and item.commune_id == commune.pk
        and _number(row.income_per_capita) == _number(stored["income_per_capita"])
        and _number(row.b1_score) == _number(stored["b1_score"])
        and row.deprivation_flags == stored["deprivation_flags"]
        and row.ethnic_minority == stored["ethnic_minority"]
        and row.meritorious == stored["meritorious"]
        and row.social_protection == stored["social_protection"]
        and row.no_labour_capacity == stored["no_labour_capacity"]
        and row.head_sex == (stored["head_sex"] or stored["household__head_sex"])
        and row.members == stored["household__members_count"]
        and row.village == (stored["household__village"] or "")[:100]
        and row.head_name == (stored["household__head_name"] or "")[:100]
        and row.review_date is None
    )


def split_carried(items: list[Resolved], communes: CommuneMap) -> tuple[list[Resolved], list[Resolved]]:
    """(rows to write, rows carried unchanged from an earlier year)."""
    candidates = [i for i in items if i.row.source_year is not None and i.row.source_year < i.row.year]
    if not candidates:
        return items, []
    stored = _stored(candidates)
    kept, carried = [], []
    for item in items:
        earlier = None
        if item.row.source_year is not None and item.row.source_year < item.row.year:
            earlier = stored.get((item.row.household_code, item.row.source_year))
        (carried if earlier is not None and _unchanged(item, earlier, communes) else kept).append(item)
    return kept, carried


def _stored(items: Iterable[Resolved]) -> dict[tuple[str, int], dict]:
    keys = {(i.row.household_code, i.row.source_year) for i in items}
    reviews = Review.objects.filter(
        household__code__in={code for code, _ in keys}, year__in={year for _, year in keys}
    ).values(*_STORED)
    return {(r["household__code"], r["year"]): r for r in reviews if (r["household__code"], r["year"]) in keys}
