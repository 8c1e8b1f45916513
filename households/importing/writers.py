"""Writing checked review rows in bulk, one batch at a time, inside the import's transaction.

Two writers with the same results. `OrmWriter` uses bulk ORM statements and simple-history's bulk
helpers, on any database (SQLite, the embedded default). `PostgresWriter` copies the batch into a
temporary table and upserts from it (households.importing.statements, one statement per
table): one statement inserts new households, updates changed ones and writes their history rows;
one INSERT … ON CONFLICT … DO UPDATE … WHERE (row differs) … RETURNING tells created from updated
reviews and writes their history; unchanged rows are not touched at all, so a re-import writes
nothing.

The household's own data follows its latest review: it is updated from the file only when the
file's year is at least the latest year already stored for it.
"""

from __future__ import annotations

import datetime
import io
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Max, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from households import codes, workflow
from households.importing import statements
from households.importing.columns import HOUSEHOLD_COLUMNS, REVIEW_COLUMNS
from households.importing.errors import RowError
from households.importing.rows import ParsedRow
from households.models import AdministrativeUnit, Household, Review

# file_years keeps a bit per year from here (reviews are of this century and the last).
YEAR_BASE = 1900


@dataclass(slots=True)
class Resolved:
    row: ParsedRow
    commune_id: int
    standard_id: int
    poverty_class: str
    problem: RowError | None = None


class Batch:
    def __init__(self, items: list[Resolved]) -> None:
        self.items = items

    def codes(self) -> list[str]:
        return sorted({item.row.household_code for item in self.items})

    def latest_per_household(self) -> dict[str, Resolved]:
        latest: dict[str, Resolved] = {}
        for item in self.items:
            code = item.row.household_code
            if code not in latest or item.row.year > latest[code].row.year:
                latest[code] = item
        return latest


def _same(current, wanted) -> bool:
    if isinstance(current, Decimal) or isinstance(wanted, Decimal):
        return (current is None and wanted is None) or (
            current is not None and wanted is not None and Decimal(current) == Decimal(wanted)
        )
    return current == wanted


def _request_user():
    """The user of the current request, as simple-history's middleware would record it."""
    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def _claims_successor(communes, old_id: int, item: Resolved) -> bool:
    """The row moves a household of a commune no longer in force to a successor of it."""
    old = communes.units.get(old_id)
    return old is not None and not old.is_in_force_in(item.row.year) and communes.is_successor(old_id, item.commune_id)


class OrmWriter:
    """Bulk ORM writes; portable to every database Django supports."""

    def __init__(self, *, user, state: str, dry_run: bool) -> None:
        self.user = user
        self.history_user = user if user is not None else _request_user()
        self.state = state
        # What makes a stored review "changed". An officer's upload carries its own state (draft)
        # but says nothing new about a review whose values it repeats: that review keeps its state,
        # so an unchanged export of an approved year re-imports as "nothing to change" instead of
        # being refused (or reopened). A file from the command line is authoritative: its state
        # counts too (`import_reviews --state draft` takes a year back to draft).
        self.compared = [c for c in REVIEW_COLUMNS if c != "state" or user is None]
        self.dry_run = dry_run
        self.now = timezone.now()
        # Spanning the file, for the movements pass: households whose reviews changed, and the
        # years each household has in the file (a bit per year).
        self.touched: set[int] = set()
        self.file_years: dict[int, int] = {}
        self.created: set[int] = set()
        self.updated: set[int] = set()

    # --- checks against stored rows (only an officer's upload is limited) ----------------------

    def check_scope(self, batch: Batch, allowed_commune_ids: set[int] | None, communes=None) -> list[RowError]:
        """An officer's rows touch households of their communes, or claim a household of an old
        commune for one of its successors (households.units: the file names the successor its
        village fell in); approved reviews stay as they are."""
        if self.user is None or not batch.items:
            return []
        households = {
            h.code: h for h in Household.objects.filter(code__in=batch.codes()).only("pk", "code", "commune_id")
        }
        errors = []
        for item in batch.items:
            code = item.row.household_code
            household = households.get(code)
            commune = communes.units.get(item.commune_id) if communes is not None else None
            if household is None:
                # A code outside the officer's namespace is refused as "not in your scope" whether
                # it exists elsewhere or not (households.codes): the answer reveals nothing.
                refused = commune is not None and not codes.may_mint(self.user, code, commune)
            else:
                refused = household.commune_id not in allowed_commune_ids and not (
                    communes is not None and _claims_successor(communes, household.commune_id, item)
                )
            if refused:
                errors.append(RowError(item.row.row, "household_code", codes.out_of_scope_message(code, commune)))
        if errors or self.user.is_administrator:
            return errors
        return self._check_locked_years(batch, households, communes)

    def _check_locked_years(self, batch: Batch, households: dict, communes) -> list[RowError]:
        """May this officer change this commune-year: a submitted or approved review keeps its
        values, and a household new to a submitted or approved commune-year is refused
        (households.workflow). Decided here, in the importer's own write path, so every caller of
        import_reviews(user=…) gets it, with the row it concerns. Two queries."""
        years = {item.row.year for item in batch.items}
        stored = {
            (r.household_id, r.year): r
            for r in Review.objects.filter(household_id__in=[h.pk for h in households.values()], year__in=years)
        }
        new = [
            item
            for item in batch.items
            if (household := households.get(item.row.household_code)) is None
            or (household.pk, item.row.year) not in stored
        ]
        counts = defaultdict(Counter)
        if new:
            pairs = Q()
            for commune_id, year in {(item.commune_id, item.row.year) for item in new}:
                pairs |= Q(commune_id=commune_id, year=year)
            for row in Review.objects.filter(pairs).values("commune_id", "year", "state").annotate(n=Count("pk")):
                counts[(row["commune_id"], row["year"])][row["state"]] = row["n"]

        def commune_name(commune_id: int) -> str:
            unit = communes.units.get(commune_id) if communes is not None else None
            return unit.name if unit is not None else AdministrativeUnit.objects.get(pk=commune_id).name

        errors = []
        for item in batch.items:
            year = item.row.year
            household = households.get(item.row.household_code)
            review = household and stored.get((household.pk, year))
            if review is not None:
                if review.state in workflow.LOCKED_STATES and not self._unchanged(review, self._review(item)):
                    message = workflow.locked_message(review.state, year, commune_name(review.commune_id))
                    errors.append(RowError(item.row.row, "year", message))
                continue
            state = workflow.year_state(counts[(item.commune_id, year)])
            if state in workflow.LOCKED_STATES:
                message = workflow.locked_message(state, year, commune_name(item.commune_id), new=True)
                errors.append(RowError(item.row.row, "year", message))
        return errors

    # --- what a preview shows ----------------------------------------------------------------

    def describe_changes(self, batch: Batch) -> list[tuple[int, str, str, object, object]]:
        """(row, household code, field, stored value, file value) of every field the batch would
        change on stored households and reviews; new ones are counts, not field lists. Two queries."""
        households = {h.code: h for h in Household.objects.filter(code__in=batch.codes())}
        reviews = {
            (r.household_id, r.year): r
            for r in Review.objects.filter(
                household_id__in=[h.pk for h in households.values()], year__in={i.row.year for i in batch.items}
            )
        }
        changes = []
        for item in batch.items:
            household = households.get(item.row.household_code)
            if household is None:
                continue
            review = reviews.get((household.pk, item.row.year))
            wanted = self._review(item)
            if review is not None:
                changes += [
                    (item.row.row, household.code, name, getattr(review, name), wanted[name])
                    for name in self.compared
                    if not _same(getattr(review, name), wanted[name])
                ]
            for name, value in HOUSEHOLD_COLUMNS.items():
                if name != "commune_id" and not _same(getattr(household, name), value(item)):
                    changes.append((item.row.row, household.code, name, getattr(household, name), value(item)))
        return changes

    # --- writing ------------------------------------------------------------------------------

    def _review(self, item: Resolved) -> dict:
        return {column: (self.state if value is None else value(item)) for column, value in REVIEW_COLUMNS.items()}

    def _unchanged(self, review: Review, wanted: dict) -> bool:
        return all(_same(getattr(review, name), wanted[name]) for name in self.compared)

    def write(self, batch: Batch, result) -> None:
        households = {h.code: h for h in Household.objects.filter(code__in=batch.codes())}
        latest_year = dict(
            Review.objects.filter(household_id__in=[h.pk for h in households.values()])
            .values("household_id")
            .annotate(latest=Max("year"))
            .values_list("household_id", "latest")
        )
        new_households, changed_households = [], []
        for code, item in batch.latest_per_household().items():
            wanted = {column: value(item) for column, value in HOUSEHOLD_COLUMNS.items()}
            household = households.get(code)
            if household is None:
                household = Household(code=code, **wanted)
                households[code] = household
                new_households.append(household)
            elif item.row.year >= latest_year.get(household.pk, 0) and not all(
                _same(getattr(household, name), value) for name, value in wanted.items()
            ):
                for name, value in wanted.items():
                    setattr(household, name, value)
                changed_households.append(household)
        if new_households:
            self._create(new_households, Household)
            if any(h.pk is None for h in new_households):
                ids = dict(
                    Household.objects.filter(code__in=[h.code for h in new_households]).values_list("code", "pk")
                )
                for household in new_households:
                    household.pk = ids[household.code]
            self.created.update(h.pk for h in new_households)
        if changed_households:
            self._update(changed_households, Household, list(HOUSEHOLD_COLUMNS))
            self.updated.update(h.pk for h in changed_households)

        reviews = {
            (r.household_id, r.year): r
            for r in Review.objects.filter(
                household_id__in=[h.pk for h in households.values()], year__in={i.row.year for i in batch.items}
            )
        }
        new_reviews, changed_reviews = [], []
        for item in batch.items:
            household_id = households[item.row.household_code].pk
            self.file_years[household_id] = self.file_years.get(household_id, 0) | 1 << (item.row.year - YEAR_BASE)
            wanted = self._review(item)
            review = reviews.get((household_id, item.row.year))
            if review is None:
                new_reviews.append(Review(household_id=household_id, year=item.row.year, **wanted))
            elif self._unchanged(review, wanted):
                result.reviews_unchanged += 1
                continue
            else:
                for name, value in wanted.items():
                    setattr(review, name, value)
                review.updated_at = self.now
                changed_reviews.append(review)
            self.touched.add(household_id)
        if new_reviews:
            self._create(new_reviews, Review)
        if changed_reviews:
            self._update(changed_reviews, Review, [*REVIEW_COLUMNS, "updated_at"])
        result.reviews_created += len(new_reviews)
        result.reviews_updated += len(changed_reviews)
        result.households_created = len(self.created)
        result.households_updated = len(self.updated - self.created)

    def _create(self, objects: list, model) -> None:
        if self.dry_run:  # rolled back anyway: the history rows would only cost time
            model.objects.bulk_create(objects)
        else:
            bulk_create_with_history(objects, model, default_user=self.history_user, default_date=self.now)

    def _update(self, objects: list, model, columns: list[str]) -> None:
        fields = [column.removesuffix("_id") for column in columns]
        if self.dry_run:
            model.objects.bulk_update(objects, fields)
        else:
            bulk_update_with_history(objects, model, fields, default_user=self.history_user, default_date=self.now)

    def finish(self) -> None:
        pass


def _copy_text(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _copy_line_function(columns: list[str]):
    """A function from a checked row to its COPY line, the columns in `columns` order.

    Built once per import: the per-row cost is one call and one join, not a lookup per cell.
    """
    getters = {
        "row_number": lambda item: item.row.row,
        "household_code": lambda item: item.row.household_code,
        "year": lambda item: item.row.year,
        **HOUSEHOLD_COLUMNS,
        **{column: get for column, get in REVIEW_COLUMNS.items() if get is not None},
    }
    chosen = [getters[column] for column in columns]

    def line(item: Resolved) -> str:
        return "\t".join([_copy_text(get(item)) for get in chosen]) + "\n"

    return line


class PostgresWriter(OrmWriter):
    """COPY into a temporary table, then set-based upserts with their history rows
    (households.importing.statements: one statement per table)."""

    def __init__(self, connection, **kwargs) -> None:
        super().__init__(**kwargs)
        self.connection = connection
        user_id = self.history_user.pk if self.history_user is not None else None
        self.table = statements.batch_table(connection)
        self._created_table = False
        self._copy_line = _copy_line_function(list(self.table.columns))
        self.households = statements.household_upsert(connection, now=self.now)
        self.reviews = statements.review_upsert(connection, now=self.now, state=self.state, compared=self.compared)
        # A dry run is rolled back anyway: its history rows would only cost time.
        self.household_history = (
            None if self.dry_run else statements.household_history(connection, now=self.now, user_id=user_id)
        )
        self.review_history = (
            None if self.dry_run else statements.review_history(connection, now=self.now, user_id=user_id)
        )

    def write(self, batch: Batch, result) -> None:
        with self.connection.cursor() as cursor:
            if not self._created_table:
                cursor.execute(self.table.create)
                self._created_table = True
            cursor.execute(f"TRUNCATE {statements.BATCH_TABLE}")
            self._copy(cursor, batch)
            cursor.execute(*self.households.with_history(self.household_history))
            created, updated = cursor.fetchone()
            self.created.update(created or ())
            self.updated.update(updated or ())
            cursor.execute(*self.reviews.with_history(self.review_history))
            created_count, updated_count, touched, household_ids, years = cursor.fetchone()
        self.touched.update(touched or ())
        for household_id, year in zip(household_ids or (), years or (), strict=True):
            self.file_years[household_id] = self.file_years.get(household_id, 0) | 1 << (year - YEAR_BASE)
        result.reviews_created += created_count
        result.reviews_updated += updated_count
        result.reviews_unchanged += len(batch.items) - created_count - updated_count
        result.households_created = len(self.created)
        result.households_updated = len(self.updated - self.created)

    def _copy(self, cursor, batch: Batch) -> None:
        buffer = io.StringIO()
        write, line = buffer.write, self._copy_line
        for item in batch.items:
            write(line(item))
        buffer.seek(0)
        raw = cursor.cursor
        if hasattr(raw, "copy_expert"):  # psycopg2
            raw.copy_expert(self.table.copy, buffer)
        else:  # psycopg 3
            with raw.copy(self.table.copy) as copy:
                copy.write(buffer.getvalue())

    def finish(self) -> None:
        if self._created_table:
            with self.connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {statements.BATCH_TABLE}")


def make_writer(connection, *, user, state: str, dry_run: bool) -> OrmWriter:
    if connection.vendor == "postgresql":
        return PostgresWriter(connection, user=user, state=state, dry_run=dry_run)
    return OrmWriter(user=user, state=state, dry_run=dry_run)
