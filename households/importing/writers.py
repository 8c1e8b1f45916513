"""Writing checked review rows in bulk, one batch at a time, inside the import's transaction.

Two writers with the same results. `OrmWriter` uses bulk ORM statements and simple-history's bulk
helpers, on any database (SQLite, the embedded default). `PostgresWriter` copies the batch into a
temporary table and upserts from it: one statement inserts new households, updates changed ones
and writes their history rows; one INSERT … ON CONFLICT … DO UPDATE … WHERE (row differs)
… RETURNING tells created from updated reviews and writes their history; unchanged rows are not
touched at all, so a re-import writes nothing.

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
from households.importing.errors import RowError
from households.importing.rows import ParsedRow
from households.models import AdministrativeUnit, Household, Review

# file_years keeps a bit per year from here (reviews are of this century and the last).
YEAR_BASE = 1900

# Columns the file sets, and the value each takes from a checked row.
HOUSEHOLD_COLUMNS = {
    "commune_id": lambda item: item.commune_id,
    "village": lambda item: item.row.village,
    "head_name": lambda item: item.row.head_name,
    "head_sex": lambda item: item.row.head_sex,
    "ethnic_minority": lambda item: item.row.ethnic_minority,
    "members_count": lambda item: item.row.members,
    "meritorious": lambda item: item.row.meritorious,
    "social_protection": lambda item: item.row.social_protection,
    "no_labour_capacity": lambda item: item.row.no_labour_capacity,
}
REVIEW_COLUMNS = {
    "commune_id": lambda item: item.commune_id,
    "standard_id": lambda item: item.standard_id,
    "income_per_capita": lambda item: item.row.income_per_capita,
    "b1_score": lambda item: item.row.b1_score,
    "deprivation_flags": lambda item: item.row.deprivation_flags,
    "deprivation_count": lambda item: item.row.deprivation_count,
    "poverty_class": lambda item: item.poverty_class,
    "review_date": lambda item: item.row.review_date,
    "review_type": lambda item: item.row.review_type,
    "state": None,  # the import's state, the same for every row
    "meritorious": lambda item: item.row.meritorious,
    "social_protection": lambda item: item.row.social_protection,
    "no_labour_capacity": lambda item: item.row.no_labour_capacity,
    "ethnic_minority": lambda item: item.row.ethnic_minority,
    "head_sex": lambda item: item.row.head_sex,
}


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
    """COPY into a temporary table, then set-based upserts with their history rows."""

    TABLE = "households_import_batch"

    def __init__(self, connection, **kwargs) -> None:
        super().__init__(**kwargs)
        self.connection = connection
        self.user_id = self.history_user.pk if self.history_user is not None else None
        self._created_table = False
        self._statements()

    def _field_type(self, model, column: str) -> str:
        field = next(f for f in model._meta.concrete_fields if f.column == column)
        return field.db_type(self.connection)

    def _default(self, model, field) -> tuple[str, object]:
        """A placeholder with its value for a column the file does not set."""
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value = self.now
        else:
            value = field.get_db_prep_save(field.get_default(), self.connection)
        return f"%s::{field.db_type(self.connection)}", value

    def _statements(self) -> None:
        qn = self.connection.ops.quote_name
        # The batch table: the household code, the year, then every column the file sets.
        self.batch_columns = {"row_number": "integer", "household_code": self._field_type(Household, "code")}
        self.batch_columns["year"] = self._field_type(Review, "year")
        for column in HOUSEHOLD_COLUMNS:
            self.batch_columns[column] = self._field_type(Household, column)
        for column in REVIEW_COLUMNS:
            if column != "state":
                self.batch_columns[column] = self._field_type(Review, column)
        self.create_sql = "CREATE TEMPORARY TABLE IF NOT EXISTS {} ({})".format(
            self.TABLE, ", ".join(f"{qn(c)} {t}" for c, t in self.batch_columns.items())
        )
        self.copy_sql = "COPY {} ({}) FROM STDIN".format(self.TABLE, ", ".join(map(qn, self.batch_columns)))
        self._copy_line = _copy_line_function(list(self.batch_columns))

        household, review = Household._meta.db_table, Review._meta.db_table
        h_history = Household.history.model._meta.db_table
        r_history = Review.history.model._meta.db_table

        # Households: insert the new, update the changed (from their latest row in the batch).
        h_cols, h_values, h_params = [], [], []
        for field in Household._meta.concrete_fields:
            if field.primary_key:
                continue
            h_cols.append(qn(field.column))
            if field.column == "code":
                h_values.append("l.household_code")
            elif field.column in HOUSEHOLD_COLUMNS:
                h_values.append(f"l.{qn(field.column)}")
            else:
                placeholder, value = self._default(Household, field)
                h_values.append(placeholder)
                h_params.append(value)
        set_columns = list(HOUSEHOLD_COLUMNS)
        self.household_sql = f"""
            WITH latest AS (
                SELECT DISTINCT ON (household_code) * FROM {self.TABLE} ORDER BY household_code, year DESC
            ), ins AS (
                INSERT INTO {household} AS h ({", ".join(h_cols)})
                SELECT {", ".join(h_values)} FROM latest l
                ON CONFLICT (code) DO NOTHING
                RETURNING h.*
            ), upd AS (
                UPDATE {household} h SET {", ".join(f"{qn(c)} = l.{qn(c)}" for c in set_columns)}
                FROM latest l
                WHERE h.code = l.household_code
                  AND ({", ".join(f"h.{qn(c)}" for c in set_columns)})
                      IS DISTINCT FROM ({", ".join(f"l.{qn(c)}" for c in set_columns)})
                  AND l.year >= COALESCE((SELECT max(r.year) FROM {review} r WHERE r.household_id = h.id), 0)
                RETURNING h.*
            ){{history}}
            SELECT (SELECT array_agg(id) FROM ins), (SELECT array_agg(id) FROM upd)
        """
        self.household_params = h_params
        columns, values, params = self._history_parts(Household)
        self.household_history = (
            f""", hist AS (
                INSERT INTO {h_history} ({columns})
                SELECT {values.replace("{kind}", "'+'")} FROM ins
                UNION ALL SELECT {values.replace("{kind}", "'~'")} FROM upd
            )""",
            params * 2,
        )

        # Reviews: one upsert; unchanged rows match no WHERE and come back from nowhere.
        r_cols, r_values, r_params = [], [], []
        compared = self.compared
        for field in Review._meta.concrete_fields:
            if field.primary_key:
                continue
            r_cols.append(qn(field.column))
            if field.column == "household_id":
                r_values.append("h.id")
            elif field.column == "year":
                r_values.append("b.year")
            elif field.column == "state":
                r_values.append(f"%s::{field.db_type(self.connection)}")
                r_params.append("__state__")
            elif field.column in REVIEW_COLUMNS:
                r_values.append(f"b.{qn(field.column)}")
            else:
                placeholder, value = self._default(Review, field)
                r_values.append(placeholder)
                r_params.append(value)
        updated = [*REVIEW_COLUMNS, "updated_at"]
        self.review_sql = f"""
            WITH src AS (
                SELECT h.id AS household_id, b.year FROM {self.TABLE} b JOIN {household} h ON h.code = b.household_code
            ), up AS (
                INSERT INTO {review} AS r ({", ".join(r_cols)})
                SELECT {", ".join(r_values)}
                FROM {self.TABLE} b JOIN {household} h ON h.code = b.household_code
                ORDER BY h.id, b.year
                ON CONFLICT (household_id, year) DO UPDATE
                SET {", ".join(f"{qn(c)} = EXCLUDED.{qn(c)}" for c in updated)}
                WHERE ({", ".join(f"r.{qn(c)}" for c in compared)})
                      IS DISTINCT FROM ({", ".join(f"EXCLUDED.{qn(c)}" for c in compared)})
                RETURNING r.*, (r.xmax = 0) AS _inserted
            ){{history}}
            SELECT (SELECT count(*) FROM up WHERE _inserted), (SELECT count(*) FROM up WHERE NOT _inserted),
                   (SELECT array_agg(DISTINCT household_id) FROM up),
                   (SELECT array_agg(household_id) FROM src), (SELECT array_agg(year) FROM src)
        """
        self.review_params = r_params
        columns, values, params = self._history_parts(Review)
        values = values.replace("{kind}", "CASE WHEN _inserted THEN '+' ELSE '~' END")
        self.review_history = (f", hist AS (INSERT INTO {r_history} ({columns}) SELECT {values} FROM up)", params)

    def _history_parts(self, model) -> tuple[str, str, list]:
        """Columns, values (with a {kind} slot for the history type) and parameters of a history row."""
        base = {f.column for f in model._meta.concrete_fields}
        qn = self.connection.ops.quote_name
        columns, values, params = [], [], []
        for field in model.history.model._meta.concrete_fields:
            if field.name == "history_id":
                continue
            columns.append(qn(field.column))
            if field.column in base:
                values.append(qn(field.column))
            elif field.name == "history_date":
                values.append("%s::timestamptz")
                params.append(self.now)
            elif field.name == "history_type":
                values.append("{kind}")
            elif field.name == "history_user":
                values.append(f"%s::{field.db_type(self.connection)}")
                params.append(self.user_id)
            else:  # history_change_reason and anything else simple-history may add
                values.append("NULL")
        return ", ".join(columns), ", ".join(values), params

    def write(self, batch: Batch, result) -> None:
        with self.connection.cursor() as cursor:
            if not self._created_table:
                cursor.execute(self.create_sql)
                self._created_table = True
            cursor.execute(f"TRUNCATE {self.TABLE}")
            self._copy(cursor, batch)

            history_sql, history_params = ("", []) if self.dry_run else self.household_history
            cursor.execute(
                self.household_sql.replace("{history}", history_sql), [*self.household_params, *history_params]
            )
            created, updated = cursor.fetchone()
            self.created.update(created or ())
            self.updated.update(updated or ())

            history_sql, history_params = ("", []) if self.dry_run else self.review_history
            params = [self.state if p == "__state__" else p for p in self.review_params]
            cursor.execute(self.review_sql.replace("{history}", history_sql), [*params, *history_params])
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
            raw.copy_expert(self.copy_sql, buffer)
        else:  # psycopg 3
            with raw.copy(self.copy_sql) as copy:
                copy.write(buffer.getvalue())

    def finish(self) -> None:
        if self._created_table:
            with self.connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {self.TABLE}")


def make_writer(connection, *, user, state: str, dry_run: bool) -> OrmWriter:
    if connection.vendor == "postgresql":
        return PostgresWriter(connection, user=user, state=state, dry_run=dry_run)
    return OrmWriter(user=user, state=state, dry_run=dry_run)
