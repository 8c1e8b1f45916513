"""The PostgreSQL import's statements, one per table, each tested on its own
(tests/households/test_import_statements.py).

`PostgresWriter` (households.importing.writers) runs them for every batch: COPY the checked rows
into a temporary batch table (`batch_table`), then insert the new households and update the
changed ones (`household_upsert`, with `history_rows` of households), then insert or update the
reviews (`review_upsert`, with `history_rows` of reviews). An upsert takes its history as a
further CTE in the same statement, so a household or review is never written without its
history row; a dry run leaves the history out.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from households.importing.columns import HOUSEHOLD_COLUMNS, REVIEW_COLUMNS
from households.models import Household, Review

BATCH_TABLE = "households_import_batch"


@dataclass(frozen=True)
class Statement:
    """SQL with its parameters; an upsert's `{history}` slot takes a history CTE or nothing."""

    sql: str
    params: list = field(default_factory=list)

    def with_history(self, history: Statement | None) -> tuple[str, list]:
        if history is None:
            return self.sql.replace("{history}", ""), self.params
        return self.sql.replace("{history}", history.sql), [*self.params, *history.params]


@dataclass(frozen=True)
class BatchTable:
    columns: dict[str, str]  # column → PostgreSQL type, in COPY order
    create: str
    copy: str


def batch_table(connection) -> BatchTable:
    """The temporary table a batch is copied into: row number, household code, year, then every
    column the file sets, typed like the household and review columns they fill."""
    qn = connection.ops.quote_name
    columns = {
        "row_number": "integer",
        "household_code": _field_type(connection, Household, "code"),
        "year": _field_type(connection, Review, "year"),
    }
    for column in HOUSEHOLD_COLUMNS:
        columns[column] = _field_type(connection, Household, column)
    for column in REVIEW_COLUMNS:
        if column != "state":
            columns[column] = _field_type(connection, Review, column)
    create = "CREATE TEMPORARY TABLE IF NOT EXISTS {} ({})".format(
        BATCH_TABLE, ", ".join(f"{qn(c)} {t}" for c, t in columns.items())
    )
    copy = "COPY {} ({}) FROM STDIN".format(BATCH_TABLE, ", ".join(map(qn, columns)))
    return BatchTable(columns, create, copy)


def household_upsert(connection, *, now: datetime.datetime) -> Statement:
    """Insert the batch's new households; update those whose file values differ, from their
    latest row in the batch, unless a later year is already stored for them (the household
    follows its latest review). Returns the ids inserted and the ids updated; the CTEs `ins`
    and `upd` hold their new rows for the history."""
    qn = connection.ops.quote_name
    from_batch = {"code": "l.household_code", **{c: f"l.{qn(c)}" for c in HOUSEHOLD_COLUMNS}}
    columns, values, params = _inserted_values(connection, Household, from_batch, now=now)
    setting = list(HOUSEHOLD_COLUMNS)
    household, review = Household._meta.db_table, Review._meta.db_table
    sql = f"""
        WITH latest AS (
            SELECT DISTINCT ON (household_code) * FROM {BATCH_TABLE} ORDER BY household_code, year DESC
        ), ins AS (
            INSERT INTO {household} AS h ({", ".join(columns)})
            SELECT {", ".join(values)} FROM latest l
            ON CONFLICT (code) DO NOTHING
            RETURNING h.*
        ), upd AS (
            UPDATE {household} h SET {", ".join(f"{qn(c)} = l.{qn(c)}" for c in setting)}
            FROM latest l
            WHERE h.code = l.household_code
              AND ({", ".join(f"h.{qn(c)}" for c in setting)})
                  IS DISTINCT FROM ({", ".join(f"l.{qn(c)}" for c in setting)})
              AND l.year >= COALESCE((SELECT max(r.year) FROM {review} r WHERE r.household_id = h.id), 0)
            RETURNING h.*
        ){{history}}
        SELECT (SELECT array_agg(id) FROM ins), (SELECT array_agg(id) FROM upd)
    """
    return Statement(sql, params)


def review_upsert(connection, *, now: datetime.datetime, state: str, compared: list[str]) -> Statement:
    """Insert or update every review of the batch in one INSERT … ON CONFLICT; a stored review
    whose `compared` columns equal the file's matches no WHERE and is not touched. Returns the
    counts inserted and updated, the households touched, and every (household, year) of the
    batch; the CTE `up` holds the written rows (`_inserted` tells which) for the history."""
    qn = connection.ops.quote_name
    from_batch = {"household_id": "h.id", "year": "b.year", **{c: f"b.{qn(c)}" for c in REVIEW_COLUMNS if c != "state"}}
    columns, values, params = _inserted_values(connection, Review, from_batch, now=now, given={"state": state})
    updated = [*REVIEW_COLUMNS, "updated_at"]
    household, review = Household._meta.db_table, Review._meta.db_table
    sql = f"""
        WITH src AS (
            SELECT h.id AS household_id, b.year FROM {BATCH_TABLE} b JOIN {household} h ON h.code = b.household_code
        ), up AS (
            INSERT INTO {review} AS r ({", ".join(columns)})
            SELECT {", ".join(values)}
            FROM {BATCH_TABLE} b JOIN {household} h ON h.code = b.household_code
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
    return Statement(sql, params)


def household_history(connection, *, now: datetime.datetime, user_id: int | None) -> Statement:
    """The history CTE of `household_upsert`: '+' rows of `ins`, '~' rows of `upd`."""
    columns, values, params = _history_parts(connection, Household, now=now, user_id=user_id)
    sql = f""", hist AS (
        INSERT INTO {Household.history.model._meta.db_table} ({columns})
        SELECT {values.replace("{kind}", "'+'")} FROM ins
        UNION ALL SELECT {values.replace("{kind}", "'~'")} FROM upd
    )"""
    return Statement(sql, params * 2)


def review_history(connection, *, now: datetime.datetime, user_id: int | None) -> Statement:
    """The history CTE of `review_upsert`: '+' for an inserted review, '~' for an updated one."""
    columns, values, params = _history_parts(connection, Review, now=now, user_id=user_id)
    values = values.replace("{kind}", "CASE WHEN _inserted THEN '+' ELSE '~' END")
    sql = f", hist AS (INSERT INTO {Review.history.model._meta.db_table} ({columns}) SELECT {values} FROM up)"
    return Statement(sql, params)


def _history_parts(connection, model, *, now, user_id) -> tuple[str, str, list]:
    """Columns, values (with a {kind} slot for the history type) and parameters of a history row
    as django-simple-history writes it."""
    base = {f.column for f in model._meta.concrete_fields}
    qn = connection.ops.quote_name
    columns, values, params = [], [], []
    for f in model.history.model._meta.concrete_fields:
        if f.name == "history_id":
            continue
        columns.append(qn(f.column))
        if f.column in base:
            values.append(qn(f.column))
        elif f.name == "history_date":
            values.append("%s::timestamptz")
            params.append(now)
        elif f.name == "history_type":
            values.append("{kind}")
        elif f.name == "history_user":
            values.append(f"%s::{f.db_type(connection)}")
            params.append(user_id)
        else:  # history_change_reason and anything else simple-history may add
            values.append("NULL")
    return ", ".join(columns), ", ".join(values), params


def _field_type(connection, model, column: str) -> str:
    return next(f for f in model._meta.concrete_fields if f.column == column).db_type(connection)


def _inserted_values(connection, model, from_batch: dict[str, str], *, now, given: dict | None = None):
    """Every column of `model` but its id, and the value each is inserted with: the SQL of
    `from_batch` (read from the batch table), else a parameter: the value `given`, else the
    field's default (`now` for auto_now fields)."""
    qn = connection.ops.quote_name
    given = given or {}
    columns, values, params = [], [], []
    for f in model._meta.concrete_fields:
        if f.primary_key:
            continue
        columns.append(qn(f.column))
        if f.column in from_batch:
            values.append(from_batch[f.column])
            continue
        values.append(f"%s::{f.db_type(connection)}")
        if f.column in given:
            params.append(given[f.column])
        elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            params.append(now)
        else:
            params.append(f.get_db_prep_save(f.get_default(), connection))
    return columns, values, params
