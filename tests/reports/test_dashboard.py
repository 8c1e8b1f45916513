"""The city overview and unit dashboards read the snapshot and judge it by docs/progress-method.md's method.

Snapshot rows are built directly (IndicatorValue + a current RecomputeRun) on Hanoi's real units;
the city series is the published one of docs/published-figures.md.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from households.models import AdministrativeUnit, Role, Structure, UnitKind, UnitLevel, User
from reports.models import RecomputeRun, RunStatus
from tests.factories import login
from tests.snapshots import city_unit, legacy_districts, make_run, make_value, seed_city


def seed_districts(run: RecomputeRun, districts: list[AdministrativeUnit], year: int = 2022) -> None:
    """District rows for `year`: the first one worsening, the others on a 40 % reduction."""
    for index, district in enumerate(districts):
        start = 100 + index
        poor = start + 20 if index == 0 else int(start * 0.6)
        make_value(run, district, year, poor_start=start, poor=poor, near_poor=300, near_poor_start=330, escaped=5)


@pytest.fixture
def city_snapshot(admin_units):
    run = make_run()
    seed_city(run)
    seed_districts(run, legacy_districts())
    return run


# --- city overview -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_city_overview_judges_2022_poor_reduction_exceeded_with_the_published_figures(client, city_snapshot):
    login(client)

    response = client.get(reverse("reports:city"), {"year": 2022})

    assert response.status_code == 200
    cards = {card.key: card for card in response.context["cards"]}
    poor = cards["poor-reduction_band"]
    assert poor.assessment.inputs["previous"] == 3612
    assert poor.assessment.inputs["current"] == 2134
    assert poor.assessment.actual.quantize(Decimal("0.01")) == Decimal("40.92")
    assert poor.status.label == "Vượt chỉ tiêu"
    html = response.content.decode()
    assert "40,92 %" in html
    assert "Vượt chỉ tiêu" in html
    assert "3.612" in html and "2.134" in html


@pytest.mark.django_db
def test_city_overview_has_one_card_per_target_of_plan_51(client, city_snapshot):
    login(client)

    cards = client.get(reverse("reports:city"), {"year": 2022}).context["cards"]

    assert [card.key for card in cards] == [
        "poor-reduction_band",
        "near_poor-reduction_band",
        "meritorious_poor-must_be_zero",
        "re_poor-fewer_than_last_year",
        "newly_poor-fewer_than_last_year",
        "poor-count_by_deadline",
        "re_poor-must_be_zero",  # QĐ 1362/QĐ-UBND
        "meritorious_near_poor-count_by_deadline",  # QĐ 1362/QĐ-UBND
    ]
    near = cards[1]
    assert near.assessment.actual.quantize(Decimal("0.1")) == Decimal("26.2")
    assert near.status.label == "Vượt chỉ tiêu"


@pytest.mark.django_db
def test_why_panel_shows_inputs_formula_method_and_projection_to_2025_and_2030(client, city_snapshot):
    login(client)

    response = client.get(reverse("reports:city"), {"year": 2022})

    html = response.content.decode()
    assert "<details" in html and "Vì sao?" in html
    assert "Phương pháp tỷ số (Open SDG)" in html
    assert "Tỷ lệ giảm = (số năm trước − số năm nay) ÷ số năm trước × 100" in html
    assert "cuối năm 2025" in html and "cuối năm 2030" in html
    deadline = next(card for card in response.context["cards"] if card.key == "poor-count_by_deadline")
    # 2,134 households to clear in the 3 years left: 711.33 a year.
    assert deadline.needed_rate.quantize(Decimal("0.01")) == Decimal("711.33")
    assert deadline.needed_unit == "hộ/năm"
    assert deadline.projections[2025] is not None and deadline.projections[2030] is not None


@pytest.mark.django_db
def test_in_english_the_judgements_speak_english_too(client, city_snapshot, settings):
    """The rules (targets.progress) write Vietnamese; the page shows their statuses, targets,
    methods, formulas and notes in the reader's language."""
    login(client)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    html = client.get(reverse("reports:city"), {"year": 2022}).content.decode()

    for english in ["Exceeded", "Reduce by 25–30 % a year", "Open SDG ratio method", "Reduction rate = (last year"]:
        assert english in html, english
    for vietnamese in ["Vượt chỉ tiêu", "Giảm 25–30 %/năm", "Phương pháp tỷ số", "Tỷ lệ giảm = ", "Không còn hộ nào"]:
        assert vietnamese not in html, vietnamese


@pytest.mark.django_db
def test_year_defaults_to_the_latest_in_the_snapshot_and_zero_poor_by_2025_is_achieved_in_2024(client, city_snapshot):
    login(client)

    response = client.get(reverse("reports:city"))

    assert response.context["year"] == 2024
    cards = {card.key: card for card in response.context["cards"]}
    assert cards["poor-count_by_deadline"].status == "achieved"
    assert cards["poor-reduction_band"].status == "exceeded"  # −100 %


@pytest.mark.django_db
def test_page_says_when_and_by_which_run_the_data_was_computed(client, city_snapshot):
    login(client)
    city_snapshot.finished_at = timezone.make_aware(datetime.datetime(2026, 1, 5, 1, 30))
    city_snapshot.save()

    html = client.get(reverse("reports:city"), {"year": 2022}).content.decode()

    assert f"lượt tính #{city_snapshot.pk}" in html
    assert "01:30 05/01/2026" in html


@pytest.mark.django_db
def test_failed_last_run_shows_a_banner_and_keeps_serving_the_previous_snapshot(client, city_snapshot):
    login(client)
    RecomputeRun.objects.create(status=RunStatus.FAILED, error="worker lost")

    response = client.get(reverse("reports:city"), {"year": 2022})

    html = response.content.decode()
    assert "banner-failed" in html and "Lượt tính toán gần nhất bị lỗi" in html
    assert "worker lost" in html
    assert response.context["runs"].current == city_snapshot


@pytest.mark.django_db
def test_no_banner_when_the_last_run_succeeded(client, city_snapshot):
    login(client)

    html = client.get(reverse("reports:city"), {"year": 2022}).content.decode()

    assert "banner-failed" not in html


@pytest.mark.django_db
def test_figures_with_unapproved_reviews_are_marked_provisional(client, admin_units):
    run = make_run()
    seed_city(run, pending_2022=17)
    login(client)

    response = client.get(reverse("reports:city"), {"year": 2022})

    assert response.context["provisional"] is True
    html = response.content.decode()
    assert "Số liệu tạm thời" in html and "17 phiếu" in html
    assert "(tạm thời)" in html


# --- district table ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_district_table_lists_every_district_worst_first(client, city_snapshot):
    login(client)

    rows = client.get(reverse("reports:city"), {"year": 2022}).context["rows"]

    assert len(rows) == 30
    assert rows[0].status == "worsening"
    assert {row.status for row in rows[1:]} == {"exceeded"}


@pytest.mark.django_db
def test_district_table_sorts_server_side_and_ignores_unknown_keys(client, city_snapshot):
    login(client)
    url = reverse("reports:city")

    by_poor = client.get(url, {"year": 2022, "sort": "-poor"}).context["rows"]
    by_name = client.get(url, {"year": 2022, "sort": "name"}).context["rows"]
    unknown = client.get(url, {"year": 2022, "sort": "pk;drop"})

    assert [r.value.poor for r in by_poor] == sorted((r.value.poor for r in by_poor), reverse=True)
    assert [r.unit.name for r in by_name] == sorted(r.unit.name for r in by_name)
    assert unknown.context["sort"] == "status"


@pytest.mark.django_db
def test_district_page_shows_its_communes_and_its_own_cards(client, admin_units):
    run = make_run()
    seed_city(run)
    district = AdministrativeUnit.objects.get(level=UnitLevel.DISTRICT, kind=UnitKind.RURAL_DISTRICT, code="271")
    make_value(run, district, 2021, poor=200, near_poor=900)
    make_value(run, district, 2022, poor=150, poor_start=200, near_poor=850, near_poor_start=900)
    communes = list(district.children.order_by("code"))
    for commune in communes:
        make_value(run, commune, 2022, poor=3, poor_start=5)
    login(client)

    response = client.get(reverse("reports:unit", args=[district.pk]), {"year": 2022})

    assert response.status_code == 200
    assert len(response.context["rows"]) == len(communes)
    cards = {card.key: card for card in response.context["cards"]}
    assert cards["poor-reduction_band"].status == "achieved"  # −25 %: in the band, not above 30 %
    # small numbers: 5 → 3 is judged by the absolute change and says so
    assert response.context["rows"][0].assessment.small_numbers
    assert response.context["parent_link"] == reverse("reports:city")


@pytest.mark.django_db
def test_from_2025_the_city_table_lists_the_new_communes(client, admin_units):
    run = make_run()
    city = city_unit()
    make_value(run, city, 2024, poor=0, near_poor=9570)
    make_value(run, city, 2025, poor=0, poor_start=0, near_poor=8000, near_poor_start=9570)
    new_communes = AdministrativeUnit.objects.filter(structure=Structure.REFORM_2025, level=UnitLevel.COMMUNE)
    for commune in new_communes:
        make_value(run, commune, 2025, poor=0, poor_start=0)
    login(client)

    response = client.get(reverse("reports:city"), {"year": 2025})

    assert len(response.context["rows"]) == 126
    assert {r.status for r in response.context["rows"]} == {"maintained_at_zero"}


@pytest.mark.django_db
def test_structure_2025_switch_shows_history_reaggregated_onto_todays_units(client, admin_units):
    run = make_run()
    city = city_unit()
    make_value(run, city, 2022, poor=2134, poor_start=3612)
    for district in legacy_districts():
        make_value(run, district, 2022, poor=10, poor_start=20)
    for commune in AdministrativeUnit.objects.filter(structure=Structure.REFORM_2025, level=UnitLevel.COMMUNE):
        make_value(run, commune, 2022, poor=4, poor_start=6, reaggregated=True)
    login(client)

    plain = client.get(reverse("reports:city"), {"year": 2022})
    switched = client.get(reverse("reports:city"), {"year": 2022, "structure": 2025})

    assert len(plain.context["rows"]) == 30
    assert len(switched.context["rows"]) == 126
    assert all(r.value.reaggregated for r in switched.context["rows"])


# --- access ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_login_is_required(client, city_snapshot):
    response = client.get(reverse("reports:city"))

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.django_db
def test_district_officer_sees_their_district_and_its_communes_but_not_another_district(client, city_snapshot):
    mine, other = legacy_districts()[:2]
    login(client, Role.DISTRICT_OFFICER, mine, "officer")
    commune = mine.children.first()

    assert client.get(reverse("reports:unit", args=[mine.pk])).status_code == 200
    assert client.get(reverse("reports:unit", args=[commune.pk])).status_code == 200
    assert client.get(reverse("reports:unit", args=[other.pk])).status_code == 404
    assert client.get(reverse("reports:unit", args=[other.children.first().pk])).status_code == 404
    assert client.get(reverse("reports:unit", args=[city_unit().pk])).status_code == 404
    redirect = client.get(reverse("reports:city"))
    assert redirect.status_code == 302 and redirect["Location"].startswith(reverse("reports:unit", args=[mine.pk]))


@pytest.mark.django_db
def test_commune_officer_sees_only_their_commune(client, city_snapshot):
    district = legacy_districts()[0]
    mine, neighbour = list(district.children.order_by("code")[:2])
    login(client, Role.COMMUNE_OFFICER, mine, "commune")

    assert client.get(reverse("reports:unit", args=[mine.pk])).status_code == 200
    assert client.get(reverse("reports:unit", args=[neighbour.pk])).status_code == 404
    assert client.get(reverse("reports:unit", args=[district.pk])).status_code == 404


@pytest.mark.django_db
def test_user_without_role_or_unit_is_refused(client, city_snapshot):
    user = User.objects.create_user("nobody", password="x")
    client.force_login(user)

    assert client.get(reverse("reports:city")).status_code == 403


# --- charts and map ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_chart_data_has_the_target_band_movements_after_the_baseline_and_named_deprivations(client, city_snapshot):
    login(client)

    response = client.get(reverse("reports:city"), {"year": 2023})

    charts = response.context["charts"]
    assert charts["years"] == [2021, 2022, 2023]
    # band for 2022 = 3,612 × (1 − 0.30) … 3,612 × (1 − 0.25)
    assert charts["poor_band_low"] == [None, 2528.4, 1493.8]
    assert charts["poor_band_high"] == [None, 2709.0, 1600.5]
    assert charts["near_poor_band_low"][1] == charts["near_poor_band_high"][1] == 27158.4
    assert charts["escaped"] == [None, 1582, 0]  # no movement in the baseline year
    assert charts["deprivations"]["labels"][0] == "Việc làm"
    assert len(charts["deprivations"]["labels"]) == 12
    html = response.content.decode()
    assert 'id="dashboard-data" type="application/json"' in html
    assert "vendor/chartjs/chart.umd.min.js" in html and "js/dashboard.js" in html
    # Nothing is fetched from another host (a bare "cdn" can turn up inside the random CSRF token).
    assert not re.search(r'(?:src|href)="(?:https?:)?//', html)


@pytest.mark.django_db
def test_map_draws_one_circle_per_district_coloured_by_status(client, city_snapshot):
    login(client)

    response = client.get(reverse("reports:city"), {"year": 2022})

    points = response.context["map_points"]
    assert len(points) == 30
    assert all(0 <= p.x <= 600 and 0 <= p.y <= 600 for p in points)
    html = response.content.decode()
    assert html.count('class="dot status-worsening"') == 1
    assert html.count('class="dot status-exceeded"') == 29


def test_sparkline_scales_to_the_largest_value_and_skips_missing_years():
    from reports.dashboard import sparkline

    assert sparkline([]) == ""
    assert sparkline([10, None, 0], width=100, height=20, pad=0) == "0.0,0.0 100.0,20.0"


def test_the_portal_shows_the_rules_messages_in_the_reader_s_language():
    from django.utils import translation

    from reports.templatetags.progress_text import progress_text
    from targets.progress import ProgressStatus, Text

    with translation.override("en"):
        assert progress_text(Text("Còn {count} hộ.", count=12)) == "12 households left."
        assert progress_text(ProgressStatus.NEEDS_ACCELERATION.label) == "Needs acceleration"
    with translation.override("vi"):
        assert progress_text(Text("Còn {count} hộ.", count=12)) == "Còn 12 hộ."


def test_every_status_and_method_has_its_english_label():
    """English comes from the translation catalogue alone (locale/en), for the pages and the
    API's *_en fields alike."""
    from reports.templatetags.progress_text import in_english
    from targets.progress import Method, ProgressStatus

    assert in_english(ProgressStatus.NO_DATA.label) == "No data"
    assert in_english(ProgressStatus.EXCEEDED.label) == "Exceeded"
    assert in_english(Method.RATIO.label) == "Open SDG ratio method"
    for item in [*ProgressStatus, *Method]:
        assert in_english(item.label) != item.label, item
