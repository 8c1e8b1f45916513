"""Each statement of the PostgreSQL import (households.importing.statements) on its own.

The importer's tests check what an import does end to end; these pin each statement: the batch
table, the households' upsert and its history, the reviews' upsert and its history.
"""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from households.importing import statements
from households.importing.columns import REVIEW_COLUMNS
from households.models import (
    AdministrativeUnit,
    Household,
    PovertyClass,
    PovertyStandard,
    Review,
    ReviewState,
    Sex,
    Structure,
    UnitKind,
    UnitLevel,
    User,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the statements are PostgreSQL's"),
]

NOW = timezone.make_aware(datetime.datetime(2026, 12, 1, 9, 30))


@pytest.fixture
def commune():
    city = AdministrativeUnit.objects.create(
        code="01", name="Thành phố Hà Nội", level=UnitLevel.CITY, kind=UnitKind.CITY, structure=Structure.REFORM_2025
    )
    return AdministrativeUnit.objects.create(
        code="00004",
        name="Phường Ba Đình",
        level=UnitLevel.COMMUNE,
        kind=UnitKind.WARD,
        parent=city,
        structure=Structure.REFORM_2025,
    )


@pytest.fixture
def standard():
    return PovertyStandard.objects.order_by("first_year").first()


@pytest.fixture
def batch():
    """The batch table, created empty; `put(**values)` adds a row of the file."""
    table = statements.batch_table(connection)
    with connection.cursor() as cursor:
        cursor.execute(table.create)
        cursor.execute(f"TRUNCATE {statements.BATCH_TABLE}")
    return Batch(table)


class Batch:
    def __init__(self, table: statements.BatchTable) -> None:
        self.table = table
        self.rows = 0

    def put(self, commune, standard, code: str, year: int, **values) -> None:
        """A row of the batch table (not an import row: the importer's checked, resolved values)."""
        self.rows += 1
        row = {
            "row_number": self.rows + 1,
            "year": year,
            "commune_id": commune.pk,
            "standard_id": standard.pk,
            "village": "Tổ 1",
            "head_name": "Nguyễn Văn An",
            "head_sex": Sex.MALE,
            "members_count": 3,
            "poverty_class": PovertyClass.AVERAGE,
            "income_per_capita": Decimal(3_000_000),
            "deprivation_flags": 0,
            "deprivation_count": 0,
            "review_type": "periodic",
            "ethnic_minority": False,
            "meritorious": False,
            "social_protection": False,
            "no_labour_capacity": False,
            **values,
        }
        columns = ["household_code", *(c for c in self.table.columns if c in row)]
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {statements.BATCH_TABLE} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})",
                [code, *(row[c] for c in columns[1:])],
            )


def household(commune, code: str, **values) -> Household:
    fields = {"village": "Tổ 1", "head_name": "Nguyễn Văn An", "head_sex": Sex.MALE, "members_count": 3, **values}
    return Household.objects.create(code=code, commune=commune, **fields)


def review(household_, standard, year: int, **values) -> Review:
    fields = {
        "commune": household_.commune,
        "standard": standard,
        "poverty_class": PovertyClass.AVERAGE,
        "income_per_capita": Decimal(3_000_000),
        "state": ReviewState.DRAFT,
        "head_sex": Sex.MALE,
        **values,
    }
    return Review.objects.create(household=household_, year=year, **fields)


def run(statement: statements.Statement, history: statements.Statement | None = None) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(*statement.with_history(history))
        return cursor.fetchone()


def test_the_batch_table_takes_a_copy_of_the_files_rows_typed_like_the_columns_they_fill(batch):
    line = {c: "\\N" for c in batch.table.columns}
    line.update(row_number="7", household_code="HN-00004-000001", year="2026", village="Tổ\\t3")
    line.update(income_per_capita="2500000", review_date="2026-11-20", meritorious="t", members_count="4")
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(batch.table.copy, io.StringIO("\t".join(line.values()) + "\n"))
        cursor.execute(
            f"SELECT row_number, village, income_per_capita, review_date, meritorious FROM {statements.BATCH_TABLE}"
        )
        assert cursor.fetchall() == [(7, "Tổ\t3", Decimal(2500000), datetime.date(2026, 11, 20), True)]


def test_the_household_upsert_inserts_the_new_and_updates_the_changed_from_their_latest_year(batch, commune, standard):
    same = household(commune, "HN-00004-000001")
    changed = household(commune, "HN-00004-000002")
    older = household(commune, "HN-00004-000003")
    review(older, standard, 2026)  # the household follows its latest review: 2026 is stored
    batch.put(commune, standard, "HN-00004-000001", 2026)
    batch.put(commune, standard, "HN-00004-000002", 2025, head_name="Trần Thị Bình")
    batch.put(commune, standard, "HN-00004-000002", 2026, head_name="Lê Thị Cúc")
    batch.put(commune, standard, "HN-00004-000003", 2025, head_name="Phạm Văn Dũng")
    batch.put(commune, standard, "HN-00004-000009", 2026, head_name="Hoàng Văn Em")

    inserted, updated = run(statements.household_upsert(connection, now=NOW))

    new = Household.objects.get(code="HN-00004-000009")
    assert inserted == [new.pk] and new.head_name == "Hoàng Văn Em"
    assert updated == [changed.pk]
    assert Household.objects.get(pk=changed.pk).head_name == "Lê Thị Cúc"  # the batch's latest year
    assert Household.objects.get(pk=older.pk).head_name == "Nguyễn Văn An"
    assert same.pk not in updated  # its file values equal the stored ones: not written
    assert not Household.history.filter(history_date=NOW).exists()  # no history asked for


def test_the_household_history_records_inserted_and_updated_households_by_the_importing_user(batch, commune, standard):
    officer = User.objects.create_user("xa.badinh", password="x")
    changed = household(commune, "HN-00004-000002")
    batch.put(commune, standard, "HN-00004-000002", 2026, head_name="Lê Thị Cúc")
    batch.put(commune, standard, "HN-00004-000009", 2026)

    run(
        statements.household_upsert(connection, now=NOW),
        statements.household_history(connection, now=NOW, user_id=officer.pk),
    )

    rows = Household.history.filter(history_date=NOW).order_by("code")
    assert [(r.code, r.history_type, r.history_user_id, r.head_name) for r in rows] == [
        (changed.code, "~", officer.pk, "Lê Thị Cúc"),
        ("HN-00004-000009", "+", officer.pk, "Nguyễn Văn An"),
    ]


def test_the_review_upsert_inserts_updates_and_leaves_an_identical_review_untouched(batch, commune, standard):
    new, changed, same = (household(commune, f"HN-00004-00000{i}") for i in (1, 2, 3))
    stored_changed = review(changed, standard, 2026)
    stored_same = review(same, standard, 2026)
    for code, values in [(new.code, {}), (changed.code, {"income_per_capita": Decimal(1_500_000)}), (same.code, {})]:
        batch.put(commune, standard, code, 2026, **values)
    compared = [c for c in REVIEW_COLUMNS if c != "state"]

    inserted, updated, touched, household_ids, years = run(
        statements.review_upsert(connection, now=NOW, state=ReviewState.SUBMITTED, compared=compared)
    )

    assert (inserted, updated) == (1, 1)
    assert sorted(touched) == [new.pk, changed.pk]
    assert sorted(zip(household_ids, years, strict=True)) == [(h.pk, 2026) for h in (new, changed, same)]
    written = Review.objects.get(household=new, year=2026)
    assert written.state == ReviewState.SUBMITTED and written.updated_at == NOW
    stored_changed.refresh_from_db()
    assert stored_changed.income_per_capita == Decimal(1_500_000) and stored_changed.updated_at == NOW
    assert Review.objects.get(pk=stored_same.pk).updated_at == stored_same.updated_at
    assert Review.objects.get(pk=stored_same.pk).state == ReviewState.DRAFT  # state is not compared


def test_the_review_history_records_inserted_and_updated_reviews_by_the_importing_user(batch, commune, standard):
    officer = User.objects.create_user("xa.badinh", password="x")
    new, changed = household(commune, "HN-00004-000001"), household(commune, "HN-00004-000002")
    review(changed, standard, 2026)
    batch.put(commune, standard, new.code, 2026)
    batch.put(commune, standard, changed.code, 2026, poverty_class=PovertyClass.NEAR_POOR)
    compared = list(REVIEW_COLUMNS)

    run(
        statements.review_upsert(connection, now=NOW, state=ReviewState.DRAFT, compared=compared),
        statements.review_history(connection, now=NOW, user_id=officer.pk),
    )

    rows = Review.history.filter(history_date=NOW).order_by("household_id")
    assert [(r.household_id, r.history_type, r.history_user_id, r.poverty_class) for r in rows] == [
        (new.pk, "+", officer.pk, PovertyClass.AVERAGE),
        (changed.pk, "~", officer.pk, PovertyClass.NEAR_POOR),
    ]
