"""The one import service: good files in, bad files refused whole, re-imports change nothing."""

import io
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from households.importer import ImportRefused, import_reviews, import_unit_totals
from households.models import Household, Movement, PovertyClass, Review, UnitYear
from households.template import COLUMN_KEYS
from tests.builders import RURAL, URBAN, csv_file, review_input, review_row, xlsx_file

pytestmark = pytest.mark.django_db


def run(rows, **kwargs):
    return import_reviews(csv_file(rows), filename="reviews.csv", **kwargs)


def refused(rows, **kwargs) -> list[str]:
    with pytest.raises(ImportRefused) as caught:
        run(rows, **kwargs)
    return [str(error) for error in caught.value.errors]


def test_a_good_file_creates_households_and_classified_reviews(admin_units):
    result = run(
        [
            review_row("H1", income=1_500_000, deprivations=3),  # on the rural line, 3 deprivations: poor
            review_row("H2", income=1_500_000, deprivations=2),  # near-poor
            review_row("H3", commune=URBAN, income=1_800_000, deprivations=4),  # urban line is 2.0M: poor
            review_row("H4", income=1_500_001, deprivations=12),  # above the line: not poor whatever else
        ]
    )
    assert (result.households_created, result.reviews_created) == (4, 4)
    classes = dict(Review.objects.values_list("household__code", "poverty_class"))
    assert classes == {
        "H1": PovertyClass.POOR,
        "H2": PovertyClass.NEAR_POOR,
        "H3": PovertyClass.POOR,
        "H4": PovertyClass.AVERAGE,
    }
    assert Review.objects.get(household__code="H1").movement == Movement.NEWLY_POOR
    assert Review.objects.get(household__code="H1").deprivation_count == 3


def test_vietnamese_headers_from_an_xlsx_are_accepted(admin_units):
    result = import_reviews(xlsx_file([review_row("H1")]), filename="ra-soat.xlsx")
    assert result.reviews_created == 1
    household = Household.objects.get(code="H1")
    assert household.head_name == "Nguyễn Văn An"
    assert household.commune.code == RURAL


def test_reimporting_the_same_file_changes_nothing(admin_units):
    rows = [review_row("H1"), review_row("H2", deprivations=0)]
    run(rows)
    history_before = Review.history.count() + Household.history.count()
    result = run(rows)
    assert not result.changed
    assert result.reviews_unchanged == 2
    assert Review.history.count() + Household.history.count() == history_before


def test_a_dry_run_reports_exact_counts_and_writes_nothing(admin_units):
    result = run([review_row("H1"), review_row("H2", deprivations=0)], dry_run=True)
    assert result.reviews_created == 2
    assert result.classes == {"poor": 1, "near_poor": 1}
    assert Review.objects.count() == 0 and Household.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"commune_code": "99999"}, "Dòng 3, cột «Mã xã/phường»: mã «99999» không phải xã/phường của năm 2023"),
        (
            {"income_per_capita": "một triệu"},
            "Dòng 3, cột «Thu nhập bình quân (đồng/người/tháng)»: «một triệu» phải là một số",
        ),
        ({"d05": 2}, "Dòng 3, cột «D05 Trình độ giáo dục người lớn (0/1)»: «2» phải là 0 hoặc 1"),
        ({"meritorious": "có"}, "Dòng 3, cột «Hộ có người có công (0/1)»: «có» phải là 0 hoặc 1"),
        ({"year": 2012}, "Dòng 3, cột «Năm rà soát»: năm 2012 không có chuẩn nghèo áp dụng"),
        ({"head_sex": "X"}, "Dòng 3, cột «Giới tính chủ hộ (Nam/Nữ)»: «X» phải là Nam hoặc Nữ (M/F)"),
        ({"income_per_capita": "-5"}, "Dòng 3, cột «Thu nhập bình quân (đồng/người/tháng)»: «-5» không được âm"),
    ],
)
def test_one_bad_row_refuses_the_whole_file_with_its_row_number(admin_units, overrides, expected):
    errors = refused([review_row("H1"), review_row("H2", **overrides), review_row("H3")])
    assert errors == [expected]
    assert Review.objects.count() == 0 and Household.objects.count() == 0


def test_a_commune_code_of_the_wrong_structure_is_refused(admin_units):
    # 00004 is Phường Trúc Bạch until June 2025 and Phường Ba Đình after: the year decides.
    run([review_row("H1", commune="00004", year=2025)])
    assert Review.objects.get().commune.name == "Phường Ba Đình"
    errors = refused([review_row("H2", commune="00001", year=2025)])  # Phúc Xá ended with June 2025
    assert errors == [
        "Dòng 2, cột «Mã xã/phường»: mã «00001» không phải xã/phường của năm 2025 "
        "(Phường Phúc Xá thuộc Phường Hồng Hà, mã 00097, từ 1/7/2025)"
    ]


def test_every_bad_row_is_listed(admin_units):
    errors = refused([review_row("H1", income="abc"), review_row("H2"), review_row("H3", commune="1234567")])
    assert [error.split(",")[0] for error in errors] == ["Dòng 2", "Dòng 4"]


def test_a_household_twice_in_one_year_is_refused(admin_units):
    errors = refused([review_row("H1"), review_row("H1")])
    assert errors == ["Dòng 3, cột «Mã hộ»: hộ «H1» năm 2023 đã có ở dòng 2"]


def test_a_missing_required_column_refuses_the_file(admin_units):
    keys = [key for key in COLUMN_KEYS if key != "income_per_capita"]
    with pytest.raises(ImportRefused) as caught:
        import_reviews(csv_file([review_row("H1")], keys=keys), filename="x.csv")
    assert "Thiếu cột bắt buộc: «Thu nhập bình quân (đồng/người/tháng)» (income_per_capita)" in str(
        caught.value.errors[0]
    )


def test_a_file_of_another_type_is_refused(admin_units):
    with pytest.raises(ImportRefused) as caught:
        import_reviews(io.BytesIO(b"%PDF-1.4"), filename="ra-soat.pdf")
    assert str(caught.value.errors[0]) == "Tệp: Chỉ nhận tệp .xlsx hoặc .csv."


def test_a_corrupt_xlsx_is_refused_with_a_message(admin_units):
    with pytest.raises(ImportRefused) as caught:
        import_reviews(io.BytesIO(b"not a zip"), filename="ra-soat.xlsx")
    assert "Không đọc được tệp Excel" in str(caught.value.errors[0])


def test_a_csv_saved_in_a_windows_code_page_is_refused_with_how_to_save_it(admin_units):
    legacy = csv_file([review_row("H1", head_name="Nguyễn Thị Hằng")]).getvalue().decode().encode("cp1258", "replace")
    with pytest.raises(ImportRefused) as caught:
        import_reviews(io.BytesIO(legacy), filename="ra-soat.csv")
    assert "UTF-8" in str(caught.value.errors[0]) and "CSV UTF-8" in str(caught.value.errors[0])
    assert Household.objects.count() == 0


def test_a_csv_with_excel_s_byte_order_mark_and_semicolons_is_read(admin_units):
    text = csv_file([review_row("H1")]).getvalue().decode().replace(",", ";")
    import_reviews(io.BytesIO(b"\xef\xbb\xbf" + text.encode()), filename="ra-soat.csv")
    assert Household.objects.get().code == "H1"


def test_thousand_separators_of_vietnamese_spreadsheets_are_understood(admin_units):
    run([review_row("H1", income='"1.500.000"')])
    assert Review.objects.get().income_per_capita == Decimal(1_500_000)


def test_b1_score_alone_classifies_when_the_standard_has_a_cutoff(admin_units):
    run([review_row("H1", income="", b1_score=120, deprivations=3)])
    assert Review.objects.get().poverty_class == PovertyClass.POOR


def test_an_update_changes_the_class_and_keeps_history(admin_units):
    run([review_row("H1", income=1_000_000)])
    result = run([review_row("H1", income=2_000_000)])
    assert result.reviews_updated == 1
    review = Review.objects.get()
    assert review.poverty_class == PovertyClass.AVERAGE
    assert review.history.count() == 2


def test_importing_years_out_of_order_leaves_every_movement_right(admin_units):
    run([review_row("H1", year=2024, income=2_000_000, review_date="")])  # alone: stayed (never poor)
    assert Review.objects.get(year=2024).movement == Movement.STAYED
    run([review_row("H1", year=2023, income=1_000_000)])  # poor in 2023 → 2024 becomes "escaped"
    assert Review.objects.get(year=2023).movement == Movement.NEWLY_POOR
    assert Review.objects.get(year=2024).movement == Movement.ESCAPED_POVERTY


def test_re_poor_needs_an_earlier_escape(admin_units):
    run(
        [
            review_row("H1", year=2021, income=1_000_000),
            review_row("H1", year=2022, income=2_000_000),
            review_row("H1", year=2023, income=1_000_000),
        ]
    )
    movements = dict(Review.objects.values_list("year", "movement"))
    # 2021, Decree 07's first periodic year, is the baseline (docs/poverty-rules.md), not "newly poor".
    assert movements == {2021: Movement.BASELINE, 2022: Movement.ESCAPED_POVERTY, 2023: Movement.RE_POOR}


def test_household_data_follows_its_latest_review(admin_units):
    run([review_row("H1", year=2023, head_name="Trần Thị Bình", head_sex="Nữ")])
    run([review_row("H1", year=2022, head_name="Trần Văn Cũ")])
    assert Household.objects.get().head_name == "Trần Thị Bình"


def test_the_command_exits_non_zero_on_a_bad_file_and_writes_nothing(admin_units, tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_file([review_row("H1"), review_row("H2", members="bốn")]).getvalue())
    with pytest.raises(CommandError):
        call_command("import_reviews", str(path))
    assert "Dòng 3, cột «Số nhân khẩu»: «bốn» phải là số nguyên" in capsys.readouterr().err
    assert Household.objects.count() == 0


def test_the_command_imports_approved_reviews_and_reports_counts(admin_units, tmp_path, capsys):
    path = tmp_path / "good.csv"
    path.write_bytes(csv_file([review_row("H1")]).getvalue())
    call_command("import_reviews", str(path))
    out = capsys.readouterr().out
    assert "phiếu: 1 mới" in out
    assert "Phân loại: Hộ nghèo 1." in out  # Vietnamese labels, not the codes
    assert Review.objects.get().state == "approved"


def test_the_commands_group_thousands_the_vietnamese_way():
    from households.management.output import grouped, labelled_counts
    from households.models import PovertyClass

    assert grouped(2_134_567) == "2.134.567"
    assert grouped(27.04, 1) == "27,0"
    assert labelled_counts({"poor": 3612, "near_poor": 30176}, PovertyClass) == "Hộ cận nghèo 30.176, Hộ nghèo 3.612"


def test_unit_totals_import_and_reimport(admin_units, tmp_path):
    path = tmp_path / "totals.csv"
    path.write_text("unit_code,year,total_households\n09625,2023,2100\n01,2023,2200000\n")
    result = import_unit_totals(str(path))
    assert (result.created, result.updated) == (2, 0)
    assert import_unit_totals(str(path)).unchanged == 2
    assert UnitYear.objects.get(unit__code="09625").total_households == 2100


def test_unit_totals_bad_rows_are_refused_whole(admin_units, tmp_path):
    path = tmp_path / "totals.csv"
    path.write_text("unit_code,year,total_households\n09625,2023,abc\n77777,2023,5\n09625,2023,10\n")
    with pytest.raises(ImportRefused) as caught:
        import_unit_totals(str(path))
    messages = [str(error) for error in caught.value.errors]
    assert messages[0].startswith("Dòng 2")
    assert messages[1].startswith("Dòng 3")
    assert UnitYear.objects.count() == 0


def test_import_recompute_and_export_give_the_rules_figures(admin_units, tmp_path, capsys):
    # 2022: 4 poor, 2 near-poor. 2023: 1 escapes, 1 stays, 1 newly poor; near-poor one escapes.
    rows = [
        review_row("A", year=2022),
        review_row("B", year=2022),
        review_row("C", year=2022),
        review_row("D", year=2022, commune=URBAN, income=1_900_000),
        review_row("E", year=2022, deprivations=0),
        review_row("F", year=2022, deprivations=1),
        review_row("A", year=2023, income=1_600_000),  # escaped
        review_row("B", year=2023),  # stayed poor
        review_row("C", year=2023),
        review_row("D", year=2023, commune=URBAN, income=1_900_000),
        review_row("E", year=2023, income=3_000_000, deprivations=0),  # escaped near-poverty
        review_row("F", year=2023, deprivations=1),
        review_row("G", year=2023),  # newly poor
        review_row("H", year=2023, meritorious=1),  # newly poor, meritorious
    ]
    path = tmp_path / "reviews.csv"
    path.write_bytes(csv_file(rows).getvalue())
    call_command("import_reviews", str(path))
    totals = tmp_path / "totals.csv"
    totals.write_text(
        "unit_code,year,total_households\n09625,2022,1000\n09625,2023,1000\n00001,2022,500\n00001,2023,500\n"
    )
    call_command("import_unit_totals", str(totals))
    call_command("recompute_progress")
    capsys.readouterr()
    call_command("export_indicators", "--unit", "01", "--year", "2023")
    (city,) = json.loads(capsys.readouterr().out)
    assert city == {
        "unit": "01",
        "unit_name": "Thành phố Hà Nội",
        "unit_level": "city",
        "unit_structure": 2008,
        "year": 2023,
        "total_households": 1500,
        "poor": 5,
        "near_poor": 1,
        "poverty_rate": 0.33,
        "near_poverty_rate": 0.07,
        "escaped": 1,
        "newly_poor": 2,
        "re_poor": 0,
        "meritorious_poor": 1,
        "poor_reduction_rate": -25.0,
        "near_poor_reduction_rate": 50.0,
        "reclassified": 0,
        "reviewed_households": 8,
        "communes_reviewed": 2,
        "communes_total": 526,
        "computed_at": city["computed_at"],
    }
    call_command("export_indicators", "--unit", RURAL, "--year", "2023", "--format", "csv")
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("unit,unit_name,unit_level,unit_structure,year,total_households,poor,near_poor,")
    assert lines[1].startswith("09625,Xã Phú Cường,commune,2008,2023,1000,4,1,0.40,0.10,1,2,0,1,-33.33,50.00,")


def test_an_empty_flag_cell_says_it_is_empty(admin_units):
    messages = refused([review_row("H1", d04="")])
    assert any("D04" in m and "ô trống: phải là 0 hoặc 1" in m for m in messages), messages
    assert not any("«»" in m for m in messages)


def test_the_importer_and_the_review_service_say_the_same_words_for_the_same_problem(admin_units):
    from django.core.exceptions import ValidationError

    from households import services
    from households.models import Household

    messages = refused([review_row("H1", income="", b1_score="", review_date="", d01=1)])
    import_reviews(csv_file([review_row("H2")]), filename="ok.csv")
    household = Household.objects.get(code="H2")
    data = review_input(None, deprivations=0)
    with pytest.raises(ValidationError) as caught:
        services.classify_review(standard=household.reviews.get().standard, commune=household.commune, data=data)
    (said,) = caught.value.message_dict["income_per_capita"]
    assert any(said in message for message in messages), (said, messages)


def test_a_file_keeps_the_date_it_records_even_outside_the_review_cycle(admin_units):
    """The form and the API refuse a date outside the review's cycle (households.services); a file
    is taken as recorded: a pre-filled sheet repeats its source year's date on rows the officer
    edits for the next year, and refusing those would refuse the cycle's own template."""
    result = import_reviews(csv_file([review_row("H2", year=2024, review_date="15/11/2023")]), filename="a.csv")
    assert result.reviews_created == 1
