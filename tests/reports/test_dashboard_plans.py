"""Plan figures come from the plan: the dashboards judge against the Plan and its Targets as they
are in the database (baseline year, bands, legends), leaders choose the plan, and a plan closes
with a report per target. The city series is docs/published-figures.md's published one (2025 is synthetic:
0 poor, 8,000 near-poor)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from households.models import AdministrativeUnit, Role, UnitLevel
from targets.closing import ClosingStatus, close_at_deadline, close_every_year
from targets.models import Plan, Target, TargetKind
from targets.progress import ProgressStatus
from tests.factories import login
from tests.snapshots import city_unit, legacy_districts, make_run, make_value, seed_city

pytestmark = pytest.mark.django_db

DRAFT = "KH-2026-2030-DU-KIEN"


def plan_51() -> Plan:
    return Plan.objects.get(code="51-KH/TU")


def set_band(code: str, lower: int, upper: int) -> None:
    """What an administrator does in the admin: edit the city-wide band of Plan 51."""
    target = Target.objects.get(
        indicator__plan__code="51-KH/TU", indicator__code=code, kind=TargetKind.REDUCTION_BAND, unit=None
    )
    target.lower_bound, target.upper_bound = Decimal(lower), Decimal(upper)
    target.save()


@pytest.fixture
def snapshot(admin_units):
    run = make_run()
    seed_city(run)
    for district in legacy_districts():
        # every district on a 40 % reduction: above the 25–30 % band, below a 45–50 % one
        make_value(run, district, 2022, poor_start=100, poor=60, near_poor=300, near_poor_start=330)
    make_value(run, city_unit(), 2025, poor=0, poor_start=0, near_poor=8000, near_poor_start=9570)
    return run


def cards_of(response) -> dict:
    return {card.key: card for card in response.context["cards"]}


# --- the bands, the legends and the baseline come from the rows ----------------------------------


def test_editing_a_band_in_the_database_moves_the_legend_the_caption_and_the_status(client, snapshot):
    login(client)
    url = reverse("reports:city")
    before = client.get(url, {"year": 2022})
    assert before.context["charts"]["text"]["band_low"] == "Chỉ tiêu: giảm 30 %"
    assert cards_of(before)["poor-reduction_band"].status == ProgressStatus.EXCEEDED

    set_band("poor", 45, 50)
    set_band("near_poor", 12, 15)
    after = client.get(url, {"year": 2022})

    text = after.context["charts"]["text"]
    assert (text["band_low"], text["band_high"]) == ("Chỉ tiêu: giảm 50 %", "Chỉ tiêu: giảm 45 %")
    assert (text["near_band_low"], text["near_band_high"]) == ("Chỉ tiêu: giảm 15 %", "Chỉ tiêu: giảm 12 %")
    # 40.92 % against 45: ratio 0.91
    assert cards_of(after)["poor-reduction_band"].status == ProgressStatus.NEEDS_ACCELERATION
    assert {row.status for row in after.context["rows"]} == {ProgressStatus.NEEDS_ACCELERATION}
    assert after.context["charts"]["poor_band_low"][1] == 1806.0  # 3,612 × (1 − 0.50)
    html = after.content.decode()
    assert "Hộ nghèo theo năm và khoảng chỉ tiêu (Giảm 45–50 %/năm)" in html
    assert "25–30" not in html and "giảm 10 %" not in html


def test_the_legends_follow_the_band_in_english_too(client, snapshot, settings):
    set_band("poor", 45, 50)
    login(client)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("reports:city"), {"year": 2022})
    assert response.context["charts"]["text"]["band_low"] == "Target: −50 %"
    assert "Reduce by 45–50 % a year" in response.content.decode()


def test_without_a_band_the_table_judges_nothing_instead_of_assuming_25_to_30(client, snapshot):
    Target.objects.filter(indicator__code="poor", kind=TargetKind.REDUCTION_BAND).delete()
    login(client)
    response = client.get(reverse("reports:city"), {"year": 2022})
    rows = response.context["rows"]
    assert {row.status for row in rows} == {ProgressStatus.NO_DATA}
    assert "chỉ tiêu giảm hộ nghèo" in rows[0].assessment.note
    assert response.context["charts"]["text"]["band_low"] == ""
    assert "poor-reduction_band" not in cards_of(response)


def test_the_baseline_year_is_the_plans(client, snapshot):
    login(client)
    url = reverse("reports:city")
    deadline = cards_of(client.get(url, {"year": 2023}))["poor-count_by_deadline"]
    assert deadline.assessment.inputs["baseline_year"] == 2021 and deadline.assessment.inputs["baseline"] == 3612
    assert deadline.trend[0] == (2021, 3612)

    plan = plan_51()
    plan.baseline_year = 2022
    plan.save()  # as the admin does (the cached page is dropped)
    deadline = cards_of(client.get(url, {"year": 2023}))["poor-count_by_deadline"]

    assert deadline.assessment.inputs["baseline_year"] == 2022 and deadline.assessment.inputs["baseline"] == 2134
    assert deadline.trend[0] == (2022, 2134)


def test_hanoi_2023_is_on_track_for_zero_poor_by_2025_by_the_pace_in_households_a_year(client, snapshot):
    login(client)
    response = client.get(reverse("reports:city"), {"year": 2023})
    deadline = cards_of(response)["poor-count_by_deadline"]
    assert deadline.status == ProgressStatus.ON_TRACK
    assert deadline.needed_rate == Decimal(345) and deadline.needed_unit == "hộ/năm"
    assert deadline.projections[2025] == 0  # 690 − 2 × 1,461, never below zero
    html = response.content.decode()
    assert "So sánh tốc độ giảm (hộ/năm)" in html
    assert "Tốc độ đạt được (hộ/năm)" in html and "1.461" in html and "345" in html
    assert "Căn cứ" in html and "08-CTr/TU" in html
    assert "Đúng tiến độ" in html


def test_the_city_plans_targets_have_their_cards_and_say_they_need_verifying(client, snapshot):
    login(client)
    response = client.get(reverse("reports:city"), {"year": 2022})
    cards = cards_of(response)
    assert cards["re_poor-must_be_zero"].status == ProgressStatus.OFF_TRACK  # 24 re-poor households in 2022
    assert cards["re_poor-must_be_zero"].title == "Không để hộ tái nghèo"
    assert cards["meritorious_near_poor-count_by_deadline"].status == ProgressStatus.ACHIEVED
    card_html = response.content.decode().split('id="card-re_poor-must_be_zero"', 1)[1].split("</article>", 1)[0]
    assert "cần kiểm chứng" in card_html and "1362/QĐ-UBND" in card_html


# --- which plan ----------------------------------------------------------------------------------


def test_each_page_says_which_plan_it_judges_against(client, snapshot):
    login(client)
    response = client.get(reverse("reports:city"), {"year": 2024})
    assert response.context["plan"] == plan_51()
    html = response.content.decode()
    assert "Tiến độ thực hiện Kế hoạch 51-KH/TU" in html
    assert "Đánh giá theo" in html and "năm gốc 2021" in html
    assert "Kế hoạch dự kiến, cần kiểm chứng" not in html.split("</hgroup>", 1)[0]


@pytest.fixture
def new_period(snapshot):
    """End 2026 (the new standard's baseline) and end 2027 rows for the city, synthetic."""
    city = city_unit()
    make_value(snapshot, city, 2026, poor=5000, near_poor=20000)
    make_value(snapshot, city, 2027, poor=3500, poor_start=5000, near_poor=18000, near_poor_start=20000)
    return snapshot


def test_from_2026_the_draft_plan_judges_by_default_and_says_it_is_to_verify(client, new_period):
    login(client)
    response = client.get(reverse("reports:city"), {"year": 2027})
    assert response.context["plan"].code == DRAFT
    cards = cards_of(response)
    assert set(cards) == {
        "poor-reduction_band",
        "near_poor-reduction_band",
        "meritorious_poor-must_be_zero",
        "re_poor-fewer_than_last_year",
        "newly_poor-fewer_than_last_year",
    }
    assert all(card.target.needs_verification for card in cards.values())
    assert cards["poor-reduction_band"].trend[0] == (2026, 5000)  # from the end-2026 baseline
    html = response.content.decode()
    assert "Kế hoạch giảm nghèo bền vững 2026–2030 (dự kiến, cần kiểm chứng)" in html
    assert "Kế hoạch dự kiến, cần kiểm chứng" in html
    # the 2026 baseline year has no target of the draft yet
    assert cards_of(client.get(reverse("reports:city"), {"year": 2026})) == {}


def test_leaders_choose_plan_51_for_a_year_of_the_draft(client, new_period):
    login(client)
    response = client.get(reverse("reports:city"), {"year": 2027, "plan": "51-KH/TU"})
    assert response.context["plan"] == plan_51()
    assert not any(card.target.needs_verification for card in response.context["cards"])
    assert 'value="51-KH/TU" selected' in response.content.decode()


def test_an_unknown_plan_is_not_found(client, snapshot):
    login(client)
    assert client.get(reverse("reports:city"), {"year": 2024, "plan": "51-KH"}).status_code == 404


def test_the_chosen_plan_is_part_of_the_cached_page(client, new_period):
    login(client)
    url = reverse("reports:city")
    default = client.get(url, {"year": 2027}).content.decode()
    chosen = client.get(url, {"year": 2027, "plan": "51-KH/TU"}).content.decode()
    assert DRAFT in default.split("</hgroup>", 1)[0] and DRAFT not in chosen.split("</hgroup>", 1)[0]


# --- the closing report ---------------------------------------------------------------------------


def test_plan_51_closes_with_the_end_2025_figures_target_by_target(client, snapshot):
    login(client)
    dashboard = client.get(reverse("reports:city"), {"year": 2024}).content.decode()
    url = reverse("reports:plan_closing", args=[plan_51().pk])
    assert f'href="{url}"' in dashboard

    response = client.get(url)

    assert response.status_code == 200
    report = response.context["report"]
    assert (report.first_year, report.last_year) == (2021, 2025)
    verdicts = {item.key: item.verdict for item in report.targets}
    assert verdicts["poor-reduction_band"].status == ClosingStatus.MET  # −40.9, −67.7, −100 %, then held at zero
    assert verdicts["near_poor-reduction_band"].status == ClosingStatus.MET
    deadline = verdicts["poor-count_by_deadline"]
    assert (deadline.status, deadline.reached_in) == (ClosingStatus.MET, 2024)
    assert verdicts["re_poor-must_be_zero"].status == ClosingStatus.NOT_MET  # 24 re-poor households in 2022
    assert verdicts["re_poor-must_be_zero"].years_not_met == (2022,)
    poor = next(item for item in report.targets if item.key == "poor-reduction_band")
    assert poor.baseline == 3612 and [y.value for y in poor.years] == [3612, 2134, 690, 0, 0]
    assert poor.years[0].assessment is None  # the baseline year is not judged
    html = response.content.decode()
    assert "Báo cáo tổng kết Kế hoạch 51-KH/TU" in html and "2021–2025" in html
    assert "Xét từng năm áp dụng" in html and "Xét tại thời hạn" in html and "Đạt trong mọi năm áp dụng." in html
    assert "Phương pháp tỷ số (Open SDG)" in html and "So sánh tốc độ giảm (hộ/năm)" in html
    assert "1362/QĐ-UBND" in html and "cần kiểm chứng" in html


def test_the_closing_report_reads_in_english(client, snapshot, settings):
    login(client)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("reports:plan_closing", args=[plan_51().pk])).content.decode()
    assert "Closing report of Plan 51-KH/TU" in html and "Met in every year it applied." in html
    assert "Judged year by year" in html and "Xét từng năm" not in html


def test_the_closing_report_is_for_city_users(client, snapshot):
    district = AdministrativeUnit.objects.filter(level=UnitLevel.DISTRICT).first()
    login(client, Role.DISTRICT_OFFICER, district, "officer")
    assert client.get(reverse("reports:plan_closing", args=[plan_51().pk])).status_code == 403
    login(client, name="leader2")
    assert client.get(reverse("reports:plan_closing", args=[999999])).status_code == 404


def test_the_api_gives_the_same_closing_report(snapshot):
    from households.models import User

    api = APIClient()
    api.force_authenticate(User.objects.create_user("api-leader", role=Role.CITY_LEADER, unit=city_unit()))
    report = api.get(f"/api/v1/plan/{plan_51().pk}/closing/").json()
    by_key = {(t["indicator"], t["kind"]): t for t in report["targets"]}
    deadline = by_key[("poor", "count_by_deadline")]
    assert deadline["verdict"]["status"] == "met" and deadline["verdict"]["reached_in"] == 2024
    assert deadline["baseline"] == 3612 and deadline["source"].startswith("Chương trình 08-CTr/TU")
    year_2023 = next(item for item in deadline["years"] if item["year"] == 2023)
    assert year_2023["status"] == "on_track" and year_2023["method"] == "pace"
    assert year_2023["inputs"]["achieved_pace"] == 1461 and year_2023["inputs"]["needed_pace"] == 345
    assert by_key[("poor", "reduction_band")]["verdict"]["method"] == "every_year"


# --- the closing rules (no database) --------------------------------------------------------------


@pytest.mark.django_db(False)
def test_a_yearly_target_is_met_only_when_every_year_is_and_open_while_a_year_lacks_data():
    met, exceeded, held = ProgressStatus.ACHIEVED, ProgressStatus.EXCEEDED, ProgressStatus.MAINTAINED_AT_ZERO
    assert close_every_year([(2022, exceeded), (2023, met), (2024, held)]).status == ClosingStatus.MET
    short = close_every_year([(2022, exceeded), (2023, ProgressStatus.NEEDS_ACCELERATION), (2024, None)])
    assert (short.status, short.years_not_met, short.years_missing) == (ClosingStatus.NOT_MET, (2023,), (2024,))
    open_ = close_every_year([(2022, exceeded), (2023, ProgressStatus.NO_DATA)])
    assert (open_.status, open_.years_missing) == (ClosingStatus.INCOMPLETE, (2023,))
    assert close_every_year([]).status == ClosingStatus.INCOMPLETE


@pytest.mark.django_db(False)
def test_a_deadline_target_is_decided_by_its_deadline_year():
    on_track, achieved = ProgressStatus.ON_TRACK, ProgressStatus.ACHIEVED
    met = close_at_deadline([(2022, on_track), (2023, on_track), (2024, achieved), (2025, achieved)], 2025)
    assert (met.status, met.reached_in) == (ClosingStatus.MET, 2024)
    missed = close_at_deadline([(2024, achieved), (2025, ProgressStatus.MISSED)], 2025)
    assert (missed.status, missed.reached_in) == (ClosingStatus.NOT_MET, 2024)  # reached, then lost
    assert close_at_deadline([(2024, on_track)], 2025).status == ClosingStatus.INCOMPLETE
