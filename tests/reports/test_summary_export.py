"""The official summary table (docs/progress-method.md) as .xlsx and as a print-friendly page."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from households.models import AdministrativeUnit, Role, UnitKind, UnitLevel
from reports.exports import POOR, summary_table
from tests.factories import login
from tests.snapshots import city_unit, make_run, make_value


@pytest.fixture
def summary_snapshot(admin_units):
    """2022: Quận Ba Đình (urban), Thị xã Sơn Tây (urban) and Huyện Ba Vì (rural)."""
    run = make_run()
    city = city_unit()
    ba_dinh = AdministrativeUnit.objects.get(level=UnitLevel.DISTRICT, code="001")
    son_tay = AdministrativeUnit.objects.get(level=UnitLevel.DISTRICT, kind=UnitKind.TOWN)
    ba_vi = AdministrativeUnit.objects.get(level=UnitLevel.DISTRICT, code="271")
    make_value(
        run,
        ba_dinh,
        2022,
        total_households=80_000,
        poor_start=20,
        poor=10,
        escaped=12,
        re_poor=1,
        newly_poor=1,
        near_poor=300,
        near_poor_start=400,
    )
    make_value(run, son_tay, 2022, total_households=50_000, poor_start=40, poor=30, escaped=15, newly_poor=5)
    make_value(
        run,
        ba_vi,
        2022,
        total_households=70_000,
        poor_start=400,
        poor=200,
        escaped=220,
        re_poor=8,
        newly_poor=12,
        ethnic_minority_poor_start=100,
        ethnic_minority_poor=50,
        pending=3,
    )
    make_value(
        run,
        city,
        2022,
        total_households=200_000,
        poor_start=460,
        poor=240,
        escaped=247,
        re_poor=9,
        newly_poor=18,
        ethnic_minority_poor_start=100,
        ethnic_minority_poor=50,
        near_poor=300,
        near_poor_start=400,
    )
    return run, city, ba_dinh, son_tay, ba_vi


def test_districts_are_urban_by_kind_and_communes_by_area():
    from reports.exports import is_urban

    assert is_urban(AdministrativeUnit(level=UnitLevel.DISTRICT, kind=UnitKind.URBAN_DISTRICT))
    assert is_urban(AdministrativeUnit(level=UnitLevel.DISTRICT, kind=UnitKind.TOWN))
    assert not is_urban(AdministrativeUnit(level=UnitLevel.DISTRICT, kind=UnitKind.RURAL_DISTRICT))
    assert is_urban(AdministrativeUnit(level=UnitLevel.COMMUNE, kind=UnitKind.TOWNSHIP, area="urban"))
    assert not is_urban(AdministrativeUnit(level=UnitLevel.COMMUNE, kind=UnitKind.COMMUNE, area="rural"))


@pytest.mark.django_db
def test_summary_table_puts_quan_and_thi_xa_in_the_urban_block_and_huyen_in_the_rural(summary_snapshot):
    run, city, ba_dinh, son_tay, ba_vi = summary_snapshot
    from reports.dashboard import children_rows
    from reports.models import IndicatorValue

    own = IndicatorValue.objects.get(unit=city, year=2022)
    table = summary_table(city, 2022, own, children_rows(city, 2022))

    urban, rural = table.blocks
    assert [line.name for line in urban.lines] == [ba_dinh.name, son_tay.name]
    assert [line.name for line in rural.lines] == [ba_vi.name]
    assert urban.subtotal.values["poor_start"] == 60 and urban.subtotal.values["escaped"] == 27
    # escaped 220 of 400 poor at the start = 55 %; end 200 of 70,000 households = 0.29 %
    cells = rural.lines[0].cells(POOR)
    assert cells == [
        70_000,
        400,
        100,
        220,
        Decimal("55.00"),
        8,
        Decimal("2.00"),
        12,
        Decimal("3.00"),
        200,
        Decimal("0.29"),
        50,
        Decimal("25.00"),
    ]


@pytest.mark.django_db
def test_xlsx_has_title_headers_blocks_rows_and_formatted_numbers(client, summary_snapshot):
    run, city, ba_dinh, son_tay, ba_vi = summary_snapshot
    login(client)

    response = client.get(reverse("reports:summary_xlsx"), {"year": 2022})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Hộ nghèo", "Hộ cận nghèo"]
    sheet = workbook["Hộ nghèo"]
    assert sheet["A1"].value == "Tổng hợp kết quả rà soát hộ nghèo năm 2022 – Thành phố Hà Nội"
    assert f"#{run.pk}" in sheet["A2"].value
    headers = [cell.value for cell in sheet[3]]
    assert headers[:4] == ["Đơn vị", "Tổng số hộ dân cư", "Số hộ nghèo đầu năm", "Trong đó: DTTS đầu năm"]
    assert len(headers) == 14
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=4)]
    names = [row[0] for row in rows]
    assert names[:4] == ["Khu vực thành thị", ba_dinh.name, son_tay.name, "Cộng khu vực thành thị"]
    assert names[4:7] == [
        "Khu vực nông thôn",
        f"{ba_vi.name} (*)",
        "Cộng khu vực nông thôn (*)",
    ]  # sums a provisional row
    assert names[7] == "Tổng cộng: Thành phố Hà Nội"
    ba_vi_row = rows[5]
    assert ba_vi_row[1:6] == [70_000, 400, 100, 220, 55]
    assert ba_vi_row[10:12] == [200, pytest.approx(0.29)]
    total = rows[7]
    assert total[1] == 200_000 and total[2] == 460 and total[10] == 240
    assert sheet.cell(row=9, column=2).number_format == "#,##0"
    assert sheet.cell(row=9, column=6).number_format == "0.00"
    assert "Số liệu tạm thời" in rows[-1][0]
    near = workbook["Hộ cận nghèo"]
    assert near["A1"].value == "Tổng hợp kết quả rà soát hộ cận nghèo năm 2022 – Thành phố Hà Nội"
    assert len([cell.value for cell in near[3]]) == 11


@pytest.mark.django_db
def test_print_page_shows_the_same_table_with_vietnamese_numbers(client, summary_snapshot):
    login(client)

    response = client.get(reverse("reports:summary"), {"year": 2022})

    html = response.content.decode()
    assert response.status_code == 200
    assert "Khu vực thành thị" in html and "Khu vực nông thôn" in html
    assert "70.000" in html and "55,00" in html and "0,29" in html
    assert "@page" not in html  # the print rules live in portal.css


@pytest.mark.django_db
def test_district_officer_cannot_export_another_district(client, summary_snapshot):
    run, city, ba_dinh, son_tay, ba_vi = summary_snapshot
    login(client, Role.DISTRICT_OFFICER, ba_vi, "officer")

    assert client.get(reverse("reports:summary_xlsx"), {"year": 2022}).status_code == 200
    assert client.get(reverse("reports:summary_xlsx"), {"year": 2022, "unit": ba_dinh.pk}).status_code == 404
    assert client.get(reverse("reports:summary_xlsx"), {"year": 2022, "unit": city.pk}).status_code == 404


@pytest.mark.django_db
def test_formula_like_unit_names_are_neutralised(client, summary_snapshot):
    run, city, ba_dinh, son_tay, ba_vi = summary_snapshot
    ba_dinh.name = "=HYPERLINK(1)"
    ba_dinh.save()
    login(client)

    response = client.get(reverse("reports:summary_xlsx"), {"year": 2022})

    sheet = load_workbook(io.BytesIO(response.content))["Hộ nghèo"]
    assert sheet["A5"].value == "'=HYPERLINK(1)"


@pytest.mark.django_db
def test_xlsx_follows_the_readers_language(client, summary_snapshot, settings):
    login(client)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get(reverse("reports:summary_xlsx"), {"year": 2022})

    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook[workbook.sheetnames[0]]
    assert "poor households" in sheet["A1"].value
    assert "hộ nghèo" not in sheet["A1"].value.lower()
    assert "hộ nghèo" not in " ".join(str(cell.value) for cell in sheet[3])
