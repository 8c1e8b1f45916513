"""Movements of the households an import touched, re-derived from their whole review history.

The rule is households.poverty.derive_movements, the only place it is written; this module reads
the reviews of a slice of households at a time, derives, and stores only the movements that
changed, in bulk. Slices keep memory bounded whatever the number of households.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator

from django.db import connection

from households import poverty
from households.models import PovertyStandard, Review

SLICE = 5000
SQLITE_SLICE = 900  # below SQLite's default limit of 999 parameters


def _slices(ids: Iterable[int]) -> Iterator[list[int]]:
    ordered = sorted(ids)
    for start in range(0, len(ordered), SLICE):
        yield ordered[start : start + SLICE]


def _stored(household_ids: list[int]):
    """(id, household, year, class, movement, standard, its first year) of every review of these
    households: the standard rides along in the same query, since movements never cross one."""
    if connection.vendor == "postgresql":  # one array parameter rather than thousands
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT r.id, r.household_id, r.year, r.poverty_class, r.movement, r.standard_id, s.first_year "
                f"FROM {Review._meta.db_table} r JOIN {PovertyStandard._meta.db_table} s ON s.id = r.standard_id "
                "WHERE r.household_id = ANY(%s)",
                [household_ids],
            )
            return cursor.fetchall()
    return (
        Review.objects.filter(household_id__in=household_ids)
        .order_by()
        .values_list("pk", "household_id", "year", "poverty_class", "movement", "standard_id", "standard__first_year")
    )


def reviewed_year(year: int, poverty_class: str, standard_id: int, standard_first_year: int) -> poverty.ReviewedYear:
    """A stored review as the movement rule reads it."""
    return poverty.ReviewedYear(poverty.PovertyClass(poverty_class), standard_id, year == standard_first_year)


def _rederive(household_ids: list[int], touched, file_years: dict[int, int] | None, counts) -> list[tuple[int, str]]:
    """Changed (review id, movement) of the touched households; counts the file's movements."""
    from households.importing.writers import YEAR_BASE

    changes: list[tuple[int, str]] = []
    history: dict[int, list[tuple[int, int, poverty.ReviewedYear, str]]] = {}
    for review_id, household_id, year, poverty_class, movement, standard_id, first_year in _stored(household_ids):
        entry = reviewed_year(year, poverty_class, standard_id, first_year)
        history.setdefault(household_id, []).append((year, review_id, entry, movement))
    for household_id, reviews in history.items():
        if household_id in touched:
            derived = poverty.derive_movements({year: entry for year, _, entry, _ in reviews})
        else:
            derived = None
        in_file = file_years.get(household_id, 0) if file_years is not None else 0
        for year, review_id, _, stored in reviews:
            movement = stored if derived is None else derived[year].value
            if movement != stored:
                changes.append((review_id, movement))
            if in_file >> (year - YEAR_BASE) & 1:
                counts[movement] += 1
    return changes


def store_movements(changes: list[tuple[int, str]]) -> None:
    """Write changed movements in one statement per slice (no history: a movement is derived)."""
    if not changes:
        return
    if connection.vendor == "postgresql":
        ids, movements = zip(*changes, strict=True)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {Review._meta.db_table} r SET movement = v.movement "
                "FROM unnest(%s::bigint[], %s::text[]) AS v(id, movement) WHERE r.id = v.id",
                [list(ids), list(movements)],
            )
    else:
        # One UPDATE … WHERE id IN (…) per movement and slice: bulk_update's CASE per row took 12 s
        # for the demo's 70,000 movements on SQLite, this about one.
        by_movement: dict[str, list[int]] = {}
        for pk, movement in changes:
            by_movement.setdefault(movement, []).append(pk)
        for movement, ids in by_movement.items():
            for start in range(0, len(ids), SQLITE_SLICE):
                Review.objects.filter(pk__in=ids[start : start + SQLITE_SLICE]).update(movement=movement)


def settle_movements(writer, result) -> int:
    """Re-derive the movements the import changed and count the file's; returns how many changed."""
    changed = 0
    for household_ids in _slices(writer.file_years):
        changes = _rederive(household_ids, writer.touched, writer.file_years, result.movements)
        store_movements(changes)
        changed += len(changes)
    return changed


def refresh_movements(household_ids: Iterable[int]) -> int:
    """Re-derive the movement of every review of these households; returns how many changed."""
    ids = set(household_ids)
    changed = 0
    for household_ids_slice in _slices(ids):
        changes = _rederive(household_ids_slice, ids, None, Counter())
        store_movements(changes)
        changed += len(changes)
    return changed


def movement_of(review: Review) -> poverty.Movement:
    """The movement `review` (saved or not) will have among its household's stored reviews, so it
    is right when the review is first saved and its history row records it."""
    history = {
        year: reviewed_year(year, poverty_class, standard_id, first_year)
        for _, _, year, poverty_class, _, standard_id, first_year in _stored([review.household_id])
        if year != review.year
    }
    history[review.year] = reviewed_year(
        review.year, review.poverty_class, review.standard_id, review.standard.first_year
    )
    return poverty.derive_movements(history)[review.year]
