"""The importer at scale: streaming in batches, all or nothing across batches, re-imports write nothing.

These run on whichever database DATABASE_URL names (SQLite by default, PostgreSQL in CI), so the
portable writer and the PostgreSQL writer are held to the same results. Speed is measured by
bench/imports.py, not here.
"""

import io

import pytest
from django.db.models import Count

from households.importer import ImportRefused, import_reviews
from households.importing import reviews as importing
from households.models import Household, Movement, PovertyClass, Review
from households.template import COLUMN_KEYS
from tests.builders import RURAL, URBAN, csv_file, csv_line, review_row

pytestmark = pytest.mark.django_db


def line(code, **columns) -> str:
    return csv_line(review_row(code, **columns))


def generated(count: int, prefix: str = "S") -> list[str]:
    """`count` valid rows, one per household, classes varied by income."""
    return [
        line(f"{prefix}{n:06d}", income=900_000 + (n % 7) * 250_000, deprivations=n % 5, commune=(RURAL, URBAN)[n % 2])
        for n in range(count)
    ]


def history_rows() -> int:
    return Review.history.count() + Household.history.count()


@pytest.fixture
def small_batches(monkeypatch):
    """Batches of 50 rows, so that a few hundred rows span many batches."""
    monkeypatch.setattr(importing, "BATCH_SIZE", 50)


def test_a_generated_file_of_20000_rows_streams_in_and_classifies_every_row(admin_units):
    seen = []
    result = import_reviews(csv_file(generated(20_000)), filename="lon.csv", progress=seen.append)
    assert (result.rows, result.households_created, result.reviews_created) == (20_000, 20_000, 20_000)
    assert Review.objects.count() == 20_000
    assert sum(result.classes.values()) == 20_000
    assert result.classes == dict(Review.objects.values_list("poverty_class").order_by().annotate(n=Count("id")))
    # Called after each batch, with the rows processed so far, ending at the whole file.
    assert seen == sorted(seen) and seen[-1] == 20_000 and len(seen) >= 20_000 // importing.BATCH_SIZE
    assert Review.history.filter(history_type="+").count() == 20_000


def test_a_bad_last_row_refuses_the_whole_file_after_batches_were_written(admin_units, small_batches):
    lines = [*generated(300), line("BAD", income="nhiều")]
    with pytest.raises(ImportRefused) as caught:
        import_reviews(csv_file(lines), filename="x.csv")
    assert [str(e) for e in caught.value.errors] == [
        "Dòng 302, cột «Thu nhập bình quân (đồng/người/tháng)»: «nhiều» phải là một số"
    ]
    assert Review.objects.count() == 0 and Household.objects.count() == 0 and history_rows() == 0


def test_errors_after_the_first_batch_are_all_reported_with_their_row_numbers(admin_units, small_batches):
    lines = generated(200)
    lines[10] = line("E1", commune="99999")  # row 12, first batch
    lines[120] = line("E2", members="ba")  # row 122, third batch
    lines[190] = line("S000005")  # row 192: the same household and year as row 7
    with pytest.raises(ImportRefused) as caught:
        import_reviews(csv_file(lines), filename="x.csv")
    assert [str(e) for e in caught.value.errors] == [
        "Dòng 12, cột «Mã xã/phường»: mã «99999» không phải xã/phường của năm 2023",
        "Dòng 122, cột «Số nhân khẩu»: «ba» phải là số nguyên",
        "Dòng 192, cột «Mã hộ»: hộ «S000005» năm 2023 đã có ở dòng 7",
    ]
    assert Review.objects.count() == 0


def test_years_out_of_order_across_batches_leave_every_movement_right(admin_units, small_batches):
    # 2024 rows in the first batches, 2023 in later ones, 2022 already stored.
    import_reviews(csv_file([line(f"H{n:03d}", year=2022, income=1_000_000) for n in range(60)]), filename="a.csv")
    lines = [line(f"H{n:03d}", year=2024, income=3_000_000, deprivations=0, members=3) for n in range(60)]
    lines += [line(f"H{n:03d}", year=2023, income=1_000_000 if n % 2 else 3_000_000) for n in range(60)]
    result = import_reviews(csv_file(lines), filename="b.csv")
    assert result.reviews_created == 120
    movements = {(code, year): m for code, year, m in Review.objects.values_list("household__code", "year", "movement")}
    for n in range(60):
        code = f"H{n:03d}"
        assert movements[(code, 2022)] == Movement.NEWLY_POOR
        if n % 2:  # poor again in 2023, escaped in 2024
            assert movements[(code, 2023)] == Movement.STAYED
            assert movements[(code, 2024)] == Movement.ESCAPED_POVERTY
        else:  # escaped in 2023, stayed out in 2024
            assert movements[(code, 2023)] == Movement.ESCAPED_POVERTY
            assert movements[(code, 2024)] == Movement.STAYED
    assert result.movements[Movement.ESCAPED_POVERTY] == 60
    # The household's own data follows its latest review (2024), whatever the order of the file.
    assert set(Household.objects.values_list("members_count", flat=True)) == {3}


def test_reimporting_a_multi_batch_file_writes_nothing(admin_units, small_batches):
    lines = generated(250) + [line(f"S{n:06d}", year=2022, income=1_000_000) for n in range(0, 250, 3)]
    first = import_reviews(csv_file(lines), filename="x.csv")
    assert first.reviews_created == len(lines)
    before = (history_rows(), list(Review.objects.order_by("pk").values_list("pk", "updated_at", "movement")))
    again = import_reviews(csv_file(lines), filename="x.csv")
    assert not again.changed
    assert again.reviews_unchanged == len(lines)
    assert again.movements == first.movements and again.classes == first.classes
    assert (history_rows(), list(Review.objects.order_by("pk").values_list("pk", "updated_at", "movement"))) == before


def test_a_dry_run_of_a_multi_batch_file_previews_exactly_and_writes_nothing(admin_units, small_batches):
    lines = generated(180)
    preview = import_reviews(csv_file(lines), filename="x.csv", dry_run=True)
    assert Review.objects.count() == 0 and history_rows() == 0
    done = import_reviews(csv_file(lines), filename="x.csv")
    assert preview.as_dict() | {"dry_run": False} == done.as_dict()


def test_a_changed_row_is_updated_with_one_history_record(admin_units, small_batches):
    lines = generated(120)
    import_reviews(csv_file(lines), filename="x.csv")
    lines[70] = line("S000070", income=5_000_000, deprivations=0, commune=RURAL)
    result = import_reviews(csv_file(lines), filename="x.csv")
    assert (result.reviews_updated, result.reviews_unchanged) == (1, 119)
    review = Review.objects.get(household__code="S000070")
    assert review.poverty_class == PovertyClass.ABOVE_AVERAGE
    assert list(review.history.values_list("history_type", flat=True)) == ["~", "+"]


def test_history_records_the_importing_user(admin_units, django_user_model):
    user = django_user_model.objects.create_user("quantri", password="x", role="administrator", is_superuser=True)
    import_reviews(csv_file(generated(3)), filename="x.csv", user=user)
    assert set(Review.history.values_list("history_user_id", flat=True)) == {user.pk}
    assert set(Household.history.values_list("history_user_id", flat=True)) == {user.pk}


def test_csv_with_semicolons_and_a_byte_order_mark_streams_too(admin_units):
    text = "\ufeff" + "\n".join([";".join(COLUMN_KEYS), *[row.replace(",", ";") for row in generated(10)]])
    result = import_reviews(io.BytesIO(text.encode("utf-8")), filename="x.csv")
    assert result.reviews_created == 10
