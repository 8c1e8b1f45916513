"""Seed a city of reviewed households at a chosen scale, fast: COPY into PostgreSQL.

Households are spread over Hanoi's 526 real communes (loaded by load_admin_units) and reviewed
every year 2022–2025, the 2025 review in the old commune's primary successor (the 2025 units).
Classes follow a plausible path: about 1.5 % poor and 4 % near-poor at the start, falling each
year, with escapes, newly poor and re-poor households; movements are derived from the path, as
the importer derives them. Most reviews are approved, a few still submitted.
"""

from __future__ import annotations

import datetime
import io
import random

from django.db import connection
from django.utils import timezone

from households.models import (
    AdministrativeUnit,
    Household,
    Movement,
    PovertyClass,
    PovertyStandard,
    Review,
    ReviewState,
    Structure,
    Succession,
    TotalSource,
    UnitYear,
)

YEARS = (2022, 2023, 2024, 2025)
CHUNK = 50_000
POOR, NEAR, AVERAGE, ABOVE = (
    PovertyClass.POOR,
    PovertyClass.NEAR_POOR,
    PovertyClass.AVERAGE,
    PovertyClass.ABOVE_AVERAGE,
)


def next_class(rng: random.Random, previous: str) -> str:
    """One year's step of a household's class (Markov chain; the poor shrink about 25 % a year)."""
    roll = rng.random()
    if previous == POOR:
        return POOR if roll < 0.70 else NEAR if roll < 0.90 else AVERAGE
    if previous == NEAR:
        return POOR if roll < 0.03 else NEAR if roll < 0.82 else AVERAGE
    if previous == AVERAGE:
        return POOR if roll < 0.002 else NEAR if roll < 0.012 else AVERAGE if roll < 0.8 else ABOVE
    return POOR if roll < 0.0005 else NEAR if roll < 0.002 else ABOVE if roll < 0.9 else AVERAGE


def movement(previous: str | None, current: str, was_poor: bool, was_near: bool) -> str:
    if previous is None or previous == current:
        return Movement.STAYED
    if previous == POOR:
        return Movement.ESCAPED_POVERTY
    if current == POOR:
        return Movement.RE_POOR if was_poor else Movement.NEWLY_POOR
    if current == NEAR:
        return Movement.RE_NEAR_POOR if was_near else Movement.NEWLY_NEAR_POOR
    if previous == NEAR:
        return Movement.ESCAPED_NEAR_POVERTY
    return Movement.STAYED


def _copy(model, columns: list[str], rows: list[tuple]) -> None:
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join("\\N" if v is None else str(v) for v in row))
        buffer.write("\n")
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT text)", buffer
        )


def seed_city(*, households: int, seed: int = 51) -> dict:
    """Write `households` households and their reviews of 2022–2025; returns what was written."""
    rng = random.Random(seed)
    communes = list(AdministrativeUnit.objects.filter(structure=Structure.LEGACY, level="commune").order_by("code"))
    successor = dict(Succession.objects.filter(is_primary=True).values_list("predecessor_id", "successor_id"))
    # Each year's periodic review under the standard the data names for it (all Decree 07/2021 here).
    standards = {year: PovertyStandard.objects.for_review(year).pk for year in YEARS}
    weights = [rng.uniform(0.3, 3.0) for _ in communes]  # communes differ in size
    now = timezone.now().isoformat()
    review_date = {year: datetime.date(year, 11, 30).isoformat() for year in YEARS}
    household_columns = [
        "id",
        "code",
        "commune_id",
        "village",
        "address",
        "head_name",
        "head_sex",
        "ethnic_minority",
        "members_count",
        "meritorious",
        "social_protection",
        "no_labour_capacity",
    ]
    review_columns = [
        "household_id",
        "year",
        "commune_id",
        "standard_id",
        "income_per_capita",
        "b1_score",
        "deprivation_flags",
        "deprivation_count",
        "causes",
        "needs",
        "poverty_class",
        "movement",
        "review_type",
        "review_date",
        "state",
        "meritorious",
        "social_protection",
        "no_labour_capacity",
        "ethnic_minority",
        "head_sex",
        "updated_at",
    ]
    size: dict[int, int] = {}
    reviews = 0
    first = AVERAGE
    for start in range(0, households, CHUNK):
        homes, rows = [], []
        for pk in range(start + 1, min(start + CHUNK, households) + 1):
            commune = rng.choices(communes, weights)[0]
            size[commune.pk] = size.get(commune.pk, 0) + 1
            sex = "F" if rng.random() < 0.3 else "M"
            flags = [rng.random() < p for p in (0.03, 0.02, 0.01, 0.02)]  # ethnic, meritorious, social, no labour
            homes.append(
                (pk, f"BENCH{pk:08d}", commune.pk, "Thôn 1", "", "Nguyễn Văn An", sex, *flags[:1], 4, *flags[1:])
            )
            roll = rng.random()
            first = POOR if roll < 0.015 else NEAR if roll < 0.055 else AVERAGE if roll < 0.3 else ABOVE
            previous, was_poor, was_near = None, False, False
            for year in YEARS:
                current = first if previous is None else next_class(rng, previous)
                poor = current == POOR
                deprivations = rng.getrandbits(12) & rng.getrandbits(12) if current in (POOR, NEAR) else 0
                income = (
                    rng.randint(900_000, 2_400_000) if current in (POOR, NEAR) else rng.randint(2_500_000, 9_000_000)
                )
                unit = successor.get(commune.pk, commune.pk) if year >= 2025 else commune.pk
                state = ReviewState.APPROVED if rng.random() < 0.97 else ReviewState.SUBMITTED
                rows.append(
                    (
                        pk,
                        year,
                        unit,
                        standards[year],
                        income,
                        None,
                        deprivations,
                        deprivations.bit_count(),
                        "[]",
                        "[]",
                        current,
                        movement(previous, current, was_poor, was_near),
                        "periodic",
                        review_date[year],
                        state,
                        flags[1],
                        flags[2] or (poor and rng.random() < 0.2),
                        flags[3],
                        flags[0],
                        sex,
                        now,
                    )
                )
                was_poor, was_near = was_poor or poor, was_near or current == NEAR
                previous = current
        _copy(Household, household_columns, [tuple(_pg(v) for v in home) for home in homes])
        _copy(Review, review_columns, [tuple(_pg(v) for v in row) for row in rows])
        reviews += len(rows)
    totals = []
    for commune_pk, count in size.items():
        for year in YEARS[:-1]:
            totals.append(UnitYear(unit_id=commune_pk, year=year, total_households=count, source=TotalSource.ESTIMATED))
    by_successor: dict[int, int] = {}
    for commune_pk, count in size.items():
        new = successor.get(commune_pk)
        if new:
            by_successor[new] = by_successor.get(new, 0) + count
    totals += [
        UnitYear(unit_id=pk, year=YEARS[-1], total_households=count, source=TotalSource.ESTIMATED)
        for pk, count in by_successor.items()
    ]
    UnitYear.objects.bulk_create(totals, batch_size=5000)
    with connection.cursor() as cursor:
        for model in (Household, Review):
            table = model._meta.db_table
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        # What autovacuum does to a table long before a nightly run: statistics, and the visibility
        # map that lets the recompute's shards count from the covering index alone.
        cursor.execute("VACUUM (ANALYZE)")
    return {"households": households, "reviews": reviews, "years": list(YEARS), "communes": len(size)}


def _pg(value):
    if value is True:
        return "t"
    if value is False:
        return "f"
    return value
