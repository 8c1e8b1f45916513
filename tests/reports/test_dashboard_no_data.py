"""Pages never show a unit without an approved review as 0 households or "achieved": it is grey
"Chưa có số liệu" in the cards, the table and the map; a partly reviewed year says so at the top
of the page; the summary table's blocks follow the communes' kind.

Snapshot rows are built directly on Hanoi's real units, as in test_dashboard.
"""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from households.models import AdministrativeUnit, Structure, UnitKind, UnitLevel
from reports.exports import POOR, summary_table
from reports.models import IndicatorValue, RecomputeRun
from reports.queries import rows_below
from tests.factories import login
from tests.snapshots import city_unit, make_run, make_value

pytestmark = pytest.mark.django_db

JUDGED_LABELS = ["Đạt", "Vượt chỉ tiêu", "Duy trì bằng 0", "Đúng tiến độ"]


def no_data_value(run: RecomputeRun, unit: AdministrativeUnit, year: int, **fields) -> IndicatorValue:
    """A row as the recompute writes it for a unit-year with nothing approved."""
    defaults = {
        "total_households": 5000,
        "poor": None,
        "near_poor": None,
        "escaped": None,
        "newly_poor": None,
        "re_poor": None,
        "meritorious_poor": None,
        "deprivations_poor": None,
        "reviewed_households": 0,
        "communes_total": 1,
        "computed_at": run.finished_at,
    }
    return IndicatorValue.objects.create(run=run, unit=unit, year=year, **{**defaults, **fields})


def reform_communes() -> list[AdministrativeUnit]:
    return list(
        AdministrativeUnit.objects.filter(structure=Structure.REFORM_2025, level=UnitLevel.COMMUNE).order_by("code")
    )


@pytest.fixture
def partly_reviewed_2025(admin_units):
    """2025: one of the 126 units approved (no poor household left), two submitted, the rest not started."""
    run = make_run()
    city = city_unit()
    make_value(run, city, 2024, poor=0, near_poor=9570)
    communes = reform_communes()
    make_value(
        run,
        city,
        2025,
        poor=0,
        poor_start=0,
        near_poor=40,
        near_poor_start=9570,
        reviewed_households=40,
        pending=7,
        communes_reviewed=1,
        communes_started=3,
        communes_total=len(communes),
    )
    approved, *others = communes
    make_value(
        run,
        approved,
        2025,
        poor=0,
        poor_start=0,
        near_poor=40,
        communes_reviewed=1,
        communes_started=1,
        communes_total=1,
    )
    for index, commune in enumerate(others):
        started = 1 if index < 2 else 0
        no_data_value(run, commune, 2025, pending=started * 5, communes_started=started)
    return {"run": run, "approved": approved, "others": others}


def test_a_commune_without_approved_reviews_shows_no_data_and_no_judgement(client, partly_reviewed_2025):
    commune = partly_reviewed_2025["others"][5]
    login(client)

    response = client.get(reverse("reports:unit", args=[commune.pk]), {"year": 2025})

    assert response.status_code == 200
    assert {card.status for card in response.context["cards"]} == {"no_data"}
    html = response.content.decode()
    for label in JUDGED_LABELS:
        assert f">{label}<" not in html, label
    assert "Chưa có số liệu" in html and "status-no_data" in html
    assert "0 hộ" not in html
    assert "Chưa có số liệu năm 2025: chưa có kết quả rà soát nào được phê duyệt." in html


def test_a_partly_reviewed_year_says_so_at_the_top_with_the_communes_not_started(client, partly_reviewed_2025):
    login(client)

    response = client.get(reverse("reports:city"), {"year": 2025})

    coverage = response.context["coverage"]
    assert (coverage.communes_reviewed, coverage.communes_total, coverage.communes_not_started) == (1, 126, 123)
    assert len(coverage.not_started) == 123
    html = response.content.decode()
    banner = html[html.index('id="coverage"') : html.index("</div>", html.index('id="coverage"'))]
    assert "Năm 2025 mới rà soát một phần: 1/126 xã, phường có kết quả được phê duyệt." in banner
    assert "Số hộ có kết quả được phê duyệt: 40." in banner
    assert "123 xã, phường chưa bắt đầu rà soát" in banner
    assert coverage.not_started[0].name in banner
    city = city_unit()
    assert f"{reverse('reports:completeness')}?unit={city.pk}&amp;year=2025" in banner
    assert all(card.provisional for card in response.context["cards"])
    assert html.index('id="coverage"') < html.index('id="targets-heading"')


def test_units_without_data_are_grey_in_the_table_and_the_map_never_achieved(client, partly_reviewed_2025):
    login(client)

    response = client.get(reverse("reports:city"), {"year": 2025})

    rows = response.context["rows"]
    assert len(rows) == 126
    no_data = [r for r in rows if r.status == "no_data"]
    assert len(no_data) == 125 and all(r.value.poor is None for r in no_data)
    assert [r.unit for r in rows if r.status != "no_data"] == [partly_reviewed_2025["approved"]]
    points = response.context["map_points"]
    grey = [p for p in points if p.row.status == "no_data"]
    assert len(grey) >= 120 and len(points) - len(grey) <= 1
    html = response.content.decode()
    assert html.count('class="dot status-no_data"') == len(grey)
    assert html.count('class="dot status-maintained_at_zero"') + html.count('class="dot status-achieved"') <= 1
    table = html[html.index('class="striped units-table"') :]
    table = table[: table.index("</table>")]
    assert table.count(">Chưa có số liệu<") == 125
    assert ">Đạt<" not in table and ">Vượt chỉ tiêu<" not in table
    assert table.count(">Duy trì bằng 0<") == 1  # the approved unit, judged


def test_a_wholly_approved_year_has_no_coverage_banner(client, admin_units):
    run = make_run()
    make_value(run, city_unit(), 2024, poor=10, communes_reviewed=526, communes_total=526, communes_started=526)
    login(client)

    response = client.get(reverse("reports:city"), {"year": 2024})

    assert response.context["coverage"] is None
    assert 'id="coverage"' not in response.content.decode()


# --- the summary table ----------------------------------------------------------------------------


@pytest.fixture
def ba_vi_2022(admin_units):
    """Huyện Ba Vì (rural) holds Thị trấn Tây Đằng (urban) and 30 xã; Thị xã Sơn Tây (urban) holds
    phường and xã."""
    run = make_run()
    city = city_unit()
    ba_vi = AdministrativeUnit.objects.get(level=UnitLevel.DISTRICT, code="271")
    tay_dang = ba_vi.children.get(kind=UnitKind.TOWNSHIP)
    xa = list(ba_vi.children.filter(kind=UnitKind.COMMUNE).order_by("code"))
    make_value(run, city, 2022, poor=46, poor_start=80, total_households=200_000)
    make_value(run, ba_vi, 2022, total_households=70_000, poor=46, poor_start=80, escaped=34)
    make_value(run, tay_dang, 2022, total_households=4_000, poor=4, poor_start=6, escaped=2)
    for commune in xa:
        make_value(run, commune, 2022, total_households=2_000, poor=1, poor_start=2, escaped=1)
    return {"run": run, "city": city, "ba_vi": ba_vi, "tay_dang": tay_dang, "xa": xa}


def test_summary_blocks_follow_the_commune_so_a_rural_district_s_thi_tran_is_urban(ba_vi_2022):
    city, ba_vi, xa = ba_vi_2022["city"], ba_vi_2022["ba_vi"], ba_vi_2022["xa"]
    own = IndicatorValue.objects.get(unit=city, year=2022)

    table = summary_table(city, 2022, own, rows_below(city, 2022))

    urban, rural = table.blocks
    assert [line.name for line in urban.lines] == [ba_vi.name]
    assert [line.name for line in rural.lines] == [ba_vi.name]
    # Tây Đằng alone in the urban block: 4 poor of 4,000 households; the 30 xã in the rural one.
    assert urban.lines[0].cells(POOR)[:2] == [4_000, 6] and urban.lines[0].values["poor"] == 4
    assert rural.lines[0].values["poor"] == len(xa) and rural.lines[0].values["total_households"] == 2_000 * len(xa)
    assert rural.lines[0].values["escaped"] == len(xa)
    assert urban.subtotal.values["poor"] + rural.subtotal.values["poor"] == 4 + len(xa)


def test_summary_district_of_one_kind_keeps_its_own_row(ba_vi_2022):
    """A quận's communes are all phường: its own row, with its own total, stays whole."""
    run, city = ba_vi_2022["run"], ba_vi_2022["city"]
    ba_dinh = AdministrativeUnit.objects.get(level=UnitLevel.DISTRICT, code="001")
    make_value(run, ba_dinh, 2022, total_households=80_000, poor=3, poor_start=5)
    for ward in ba_dinh.children.all():
        make_value(run, ward, 2022, total_households=1_000, poor=0, poor_start=0)
    own = IndicatorValue.objects.get(unit=city, year=2022)

    urban, rural = summary_table(city, 2022, own, rows_below(city, 2022)).blocks

    whole = next(line for line in urban.lines if line.name == ba_dinh.name)
    assert (whole.values["total_households"], whole.values["poor"]) == (80_000, 3)
    assert ba_dinh.name not in [line.name for line in rural.lines]


def test_summary_xlsx_splits_ba_vi_between_the_blocks_in_the_same_queries(client, ba_vi_2022):
    login(client)

    response = client.get(reverse("reports:summary_xlsx"), {"year": 2022})

    sheet = load_workbook(io.BytesIO(response.content))["Hộ nghèo"]
    names = [row[0].value for row in sheet.iter_rows(min_row=4)]
    ba_vi = ba_vi_2022["ba_vi"].name
    assert names[:3] == ["Khu vực thành thị", ba_vi, "Cộng khu vực thành thị"]
    assert names[3:6] == ["Khu vực nông thôn", ba_vi, "Cộng khu vực nông thôn"]


def test_summary_shows_a_unit_without_data_as_no_data_not_zero(client, admin_units):
    run = make_run()
    city = city_unit()
    ba_vi = AdministrativeUnit.objects.get(level=UnitLevel.DISTRICT, code="271")
    ba_dinh = AdministrativeUnit.objects.get(level=UnitLevel.DISTRICT, code="001")
    make_value(run, city, 2022, poor=3, poor_start=5, communes_reviewed=10, communes_total=40)
    make_value(run, ba_dinh, 2022, poor=3, poor_start=5, total_households=80_000)
    no_data_value(run, ba_vi, 2022, total_households=70_000, communes_total=31, poor_start=12)
    login(client)

    workbook = load_workbook(io.BytesIO(client.get(reverse("reports:summary_xlsx"), {"year": 2022}).content))
    page = client.get(reverse("reports:summary"), {"year": 2022}).content.decode()

    rows = [[cell.value for cell in row] for row in workbook["Hộ nghèo"].iter_rows(min_row=4)]
    line = next(row for row in rows if row[0] and row[0].startswith(ba_vi.name))
    assert line[0] == f"{ba_vi.name} (**)"
    assert line[1] == 70_000 and line[10] is None and line[11] is None  # no poor count, no rate: not 0
    assert any(row[0] and row[0].startswith("(**) Chưa có số liệu") for row in rows)
    assert "Chưa có số liệu" in page and 'id="coverage"' in page
    assert "10/40 xã, phường" in page


def test_in_english_the_banner_and_the_grey_status_speak_english(client, partly_reviewed_2025, settings):
    login(client)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    html = client.get(reverse("reports:city"), {"year": 2025}).content.decode()

    assert "2025 is only partly reviewed: 1 of 126 communes have an approved review." in html
    assert "123 communes have not started their review" in html
    assert ">No data<" in html and "Chưa có số liệu" not in html
