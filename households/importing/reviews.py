"""The one import service for review files (.xlsx, .csv): the command, the upload page and the API.

All or nothing (docs/import.md), in bounded memory: the file is read as a
stream and each row is checked as it comes; rows are written in batches inside one transaction,
and at the first bad row writing stops but checking goes on, so every row-numbered error (up to
MAX_ERRORS) is reported; the file is then refused and the transaction rolled back: nothing is
written. Only a set of (household, year) keys spans the file, to refuse duplicates.

Classes come from households.poverty as each row is checked; at the end the movements of every
household the file touched are re-derived from its whole history (households.importing.movements),
so a file imported out of order (2024 before 2023) still leaves every movement right. Re-importing
the same file writes nothing (no UPDATE, no history). A dry run does the same work and rolls it
back, so its preview is exact.

The pre-filled template's rows copied from an earlier year and left as they were, and rows with no
review value at all, are households not reviewed in the file's year: they are skipped whole and
counted (households.importing.carried). A row names the commune in force in its year; it may name
any successor of a household's old commune (households.units), which moves the household there.


Writing has two paths with the same results: bulk ORM statements on any database, and on
PostgreSQL a COPY into a temporary table followed by set-based upserts (households.importing.writers).
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from django.db import connection, transaction
from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from households import poverty
from households.importing.carried import split_carried
from households.importing.errors import MAX_ERRORS, ImportRefused, RowError
from households.importing.movements import settle_movements
from households.importing.reading import read_rows
from households.importing.rows import ParsedRow, iter_parsed, no_rows_message, stopped_message
from households.importing.writers import Batch, Resolved, make_writer
from households.messages import review_problem_message
from households.models import (
    AdministrativeUnit,
    PovertyStandard,
    ReviewState,
    Structure,
    structure_for_year,
)
from households.units import CommuneMap
from households.visibility import visible_communes, year_refusal

BATCH_SIZE = 5000


@dataclass
class ImportResult:
    rows: int = 0
    households_created: int = 0
    households_updated: int = 0
    reviews_created: int = 0
    reviews_updated: int = 0
    reviews_unchanged: int = 0
    movements_updated: int = 0
    rows_carried_unchanged: int = 0
    rows_unreviewed: int = 0
    # (year, source year) → rows copied from that earlier year and left unchanged.
    carried: Counter = field(default_factory=Counter)
    # A preview's field-level changes of stored households and reviews (the first CHANGES_SHOWN).
    changes: list[dict] = field(default_factory=list)
    changes_total: int = 0
    classes: Counter = field(default_factory=Counter)
    movements: Counter = field(default_factory=Counter)
    years: set[int] = field(default_factory=set)
    commune_ids: set[int] = field(default_factory=set)
    dry_run: bool = False

    @property
    def changed(self) -> bool:
        return bool(
            self.households_created
            or self.households_updated
            or self.reviews_created
            or self.reviews_updated
            or self.movements_updated
        )

    def as_dict(self) -> dict:
        return {
            "rows": self.rows,
            "households_created": self.households_created,
            "households_updated": self.households_updated,
            "reviews_created": self.reviews_created,
            "reviews_updated": self.reviews_updated,
            "reviews_unchanged": self.reviews_unchanged,
            "movements_updated": self.movements_updated,
            "rows_carried_unchanged": self.rows_carried_unchanged,
            "rows_unreviewed": self.rows_unreviewed,
            "notes": self.notes(),
            "changes": self.changes,
            "changes_total": self.changes_total,
            "classes": dict(sorted(self.classes.items())),
            "movements": dict(sorted(self.movements.items())),
            "years": sorted(self.years),
            "dry_run": self.dry_run,
        }

    def notes(self) -> list[str]:
        """What was skipped, for the preview, the result and the API, in the active language."""
        notes = [
            ngettext(
                "%(count)s hộ chưa rà soát năm %(year)s: số liệu chép từ năm %(source)s chưa sửa, không ghi.",
                "%(count)s hộ chưa rà soát năm %(year)s: số liệu chép từ năm %(source)s chưa sửa, không ghi.",
                number,
            )
            % {"count": number, "year": year, "source": source}
            for (year, source), number in sorted(self.carried.items())
        ]
        if self.rows_unreviewed:
            message = ngettext(
                "%(count)s dòng chưa có số liệu rà soát (thu nhập, điểm B1, chỉ số), không ghi.",
                "%(count)s dòng chưa có số liệu rà soát (thu nhập, điểm B1, chỉ số), không ghi.",
                self.rows_unreviewed,
            )
            notes.append(message % {"count": self.rows_unreviewed})
        return notes


class _Rollback(Exception):
    pass


class _Lookups:
    """Communes, standards and the user's scope, read once per import."""

    def __init__(self, user) -> None:
        self.user = user
        self.map = CommuneMap()
        self.communes = {(unit.code, unit.structure): unit for unit in self.map.units.values()}
        self.allowed_commune_ids = None if user is None else set(visible_communes(user).values_list("pk", flat=True))
        self._refusals: dict[int, str | None] = {}
        # Every standard in one query; each row's is chosen from these by the one rule.
        self.standards = list(PovertyStandard.objects.annotate(size=Count("indicators")))
        self._lines: dict[tuple[int, str], poverty.Lines] = {}
        self._chosen: dict[tuple, PovertyStandard | None] = {}

    def standard_for(self, year: int, review_type: str = "periodic", review_date=None) -> PovertyStandard | None:
        """households.poverty.select_standard over the standards read once; raises AmbiguousStandard."""
        key = (year, review_type, review_date if review_type == "regular" else None)
        if key not in self._chosen:
            self._chosen[key] = poverty.select_standard(
                self.standards, year=year, review_type=review_type, review_date=review_date
            )
        return self._chosen[key]

    def refusal(self, year: int) -> str | None:
        """Why the user may not write reviews of `year` (households.models.User.writes_year)."""
        if self.user is None:
            return None
        if year not in self._refusals:
            self._refusals[year] = year_refusal(self.user, year)
        return self._refusals[year]

    def not_of_year(self, code: str, year: int) -> str:
        """The message for a commune code that names no commune of `year`'s structure."""
        message = _("mã «%(code)s» không phải xã/phường của năm %(year)s") % {"code": code, "year": year}
        if structure_for_year(year) == Structure.REFORM_2025:
            old = self.communes.get((code, Structure.LEGACY))
            new = old and self.map.primary_successor(old.pk)
            if new is not None:
                message += _(" (%(old)s thuộc %(new)s, mã %(code)s, từ 1/7/2025)") % {
                    "old": old.name,
                    "new": new.name,
                    "code": new.code,
                }
        return message

    def lines(self, standard: PovertyStandard, area: str) -> poverty.Lines:
        key = (standard.pk, area)
        if key not in self._lines:
            self._lines[key] = standard.lines(area)
        return self._lines[key]


class _FileChecks:
    """The checks of a row against the database and the rest of the file."""

    def __init__(self, lookups: _Lookups) -> None:
        self.lookups = lookups
        # (household code, year) → first row number: the one structure that spans the file.
        self.first_seen: dict[tuple[str, int], int] = {}

    def resolve(self, row: ParsedRow) -> tuple[Resolved | None, RowError | None]:
        lookups = self.lookups
        key = (row.household_code, row.year)
        first = self.first_seen.get(key)
        if first is not None:
            values = {"code": row.household_code, "year": row.year, "row": first}
            message = _("hộ «%(code)s» năm %(year)s đã có ở dòng %(row)s") % values
            return None, RowError(row.row, "household_code", message)
        self.first_seen[key] = row.row
        try:
            standard = lookups.standard_for(row.year, row.review_type, row.review_date)
        except poverty.AmbiguousStandard as error:
            first, second = error.standards
            message = _("hai chuẩn nghèo «%(first)s» và «%(second)s» cùng áp dụng; cần sửa chuẩn nghèo") % {
                "first": first,
                "second": second,
            }
            return None, RowError(row.row, "year", message)
        if standard is None:
            if row.review_type == "regular":
                day = (row.review_date or datetime.date(row.year, 12, 31)).strftime("%d/%m/%Y")
                message = _("không có chuẩn nghèo áp dụng cho rà soát thường xuyên ngày %(day)s") % {"day": day}
                return None, RowError(row.row, "review_date", message)
            message = _("năm %(year)s không có chuẩn nghèo áp dụng") % {"year": row.year}
            return None, RowError(row.row, "year", message)
        refusal = lookups.refusal(row.year)
        if refusal:
            return None, RowError(row.row, "year", refusal)
        commune = lookups.communes.get((row.commune_code, structure_for_year(row.year)))
        if commune is None:
            return None, RowError(row.row, "commune_code", lookups.not_of_year(row.commune_code, row.year))
        if lookups.allowed_commune_ids is not None and commune.pk not in lookups.allowed_commune_ids:
            message = _("%(commune)s không thuộc phạm vi của bạn") % {"commune": commune.name}
            return None, RowError(row.row, "commune_code", message)
        lines = lookups.lines(standard, commune.area)
        indicator_count = standard.size
        problems = poverty.review_problems(
            lines,
            income_per_capita=row.income_per_capita,
            b1_score=row.b1_score,
            flags=row.deprivation_flags,
            indicators=indicator_count,
        )
        problem = None
        if problems:
            column = (
                f"d{indicator_count + 1:02d}"
                if problems[0] == poverty.ReviewProblem.TOO_MANY_INDICATORS
                else "income_per_capita"
            )
            message = review_problem_message(problems[0], standard=standard.name, indicators=indicator_count)
            problem = RowError(row.row, column, message)
        if problem is not None:
            if row.source_year is None or row.source_year >= row.year:
                return None, problem
            # Copied from a year under another standard: refused only if it is not skipped as
            # carried unchanged (households.importing.carried), which the batch decides.
            return Resolved(row, commune.pk, standard.pk, "", problem), None
        poverty_class = poverty.classify_household(
            lines,
            income_per_capita=row.income_per_capita,
            deprivation_count=row.deprivation_count,
            b1_score=row.b1_score,
        )
        return Resolved(row, commune.pk, standard.pk, poverty_class.value), None


def import_reviews(
    source: str | Path | IO[bytes],
    *,
    filename: str | None = None,
    user=None,
    state: str = ReviewState.DRAFT,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Validate and import a review file. Raises ImportRefused with every error; writes nothing then.

    `user` (None for the command line) limits the communes a file may touch to those the user
    sees; reviews already approved may then not be changed. `progress`, when given, is called
    with the number of rows processed so far after each batch.
    """
    result = ImportResult(dry_run=dry_run)
    try:
        with transaction.atomic():
            _run(read_rows(source, filename), user=user, state=state, dry_run=dry_run, progress=progress, result=result)
            if dry_run:
                raise _Rollback
    except _Rollback:
        pass
    return result


CHANGES_SHOWN = 500


def _note_changes(changes, result: ImportResult) -> None:
    """Keep the first CHANGES_SHOWN field changes, readable (labels, Vietnamese number formats)."""
    from households.history import field_change

    result.changes_total += len(changes)
    room = CHANGES_SHOWN - len(result.changes)
    for row, code, name, before, after in changes[: max(room, 0)]:
        result.changes.append({"row": row, "household": code, **field_change(name, before, after)})


def lock_communes(commune_ids: set[int]) -> None:
    """Hold the communes' rows until the import commits, before reading what the batch changes.

    Two imports touching the same commune then run one after the other, and each reads what the
    other wrote: a household never ends with one file's household row and the other file's review.
    The workflow's transitions take the same row locks (households.workflow), so an import and an
    approval of a commune never interleave either. Ascending ids, so two batches lock in one order.
    """
    list(AdministrativeUnit.objects.select_for_update().filter(pk__in=commune_ids).order_by("pk").values_list("pk"))


def _run(rows, *, user, state: str, dry_run: bool, progress, result: ImportResult) -> None:
    lookups = _Lookups(user)
    checks = _FileChecks(lookups)
    writer = make_writer(connection, user=user, state=state, dry_run=dry_run)
    errors: list[RowError] = []
    batch: list[Resolved] = []
    processed = 0

    def flush() -> None:
        nonlocal batch
        if batch:
            if not dry_run:
                lock_communes({item.commune_id for item in batch})
            kept, carried = split_carried(batch, lookups.map)
            errors.extend(item.problem for item in kept if item.problem is not None)
            for item in carried:
                result.rows_carried_unchanged += 1
                result.carried[(item.row.year, item.row.source_year)] += 1
            for item in kept:
                result.years.add(item.row.year)
                result.commune_ids.add(item.commune_id)
                result.classes[item.poverty_class] += 1
            # Checks against stored rows (scope, approved reviews) run for every batch; writing
            # stops at the first error, but later rows are still checked and reported.
            errors.extend(writer.check_scope(Batch(kept), lookups.allowed_commune_ids, lookups.map))
            if not errors and kept:
                if dry_run:
                    _note_changes(writer.describe_changes(Batch(kept)), result)
                writer.write(Batch(kept), result)
        batch = []
        if progress is not None:
            progress(processed)

    for row, row_errors in iter_parsed(rows):
        processed += 1
        if row is not None and row.unreviewed:
            result.rows_unreviewed += 1
        elif row is not None:
            item, error = checks.resolve(row)
            if error is not None:
                errors.append(error)
            else:
                result.rows += 1
                batch.append(item)
        errors.extend(row_errors)
        if len(errors) >= MAX_ERRORS:
            errors.append(RowError(0, "", stopped_message()))
            break
        if len(batch) >= BATCH_SIZE:
            flush()
    if len(errors) < MAX_ERRORS:
        flush()
    if not errors and processed == 0:
        errors.append(RowError(0, "", no_rows_message()))
    if errors:
        raise ImportRefused(errors)
    # Parsed rows kept their own count for the errors; the result counts the valid rows.
    result.rows = processed
    result.movements_updated = settle_movements(writer, result)
    writer.finish()
