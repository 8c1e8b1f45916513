"""progress/, targets/, plan/ and units/: aggregate reads for any valid token."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.api.checks import assert_error

pytestmark = pytest.mark.django_db


def results(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_progress_shows_each_targets_status_with_inputs_formula_method_and_projection(city, clients):
    (row,) = results(clients["city_leader"].get("/api/v1/progress/", {"unit": "00001", "year": 2024}))
    assert (row["unit"], row["year"]) == ("00001", 2024)
    by_kind = {(target["indicator"], target["kind"]): target for target in row["targets"]}
    band = by_kind[("poor", "reduction_band")]
    # 12 → 8 poor households: a 33.33 % reduction against the 25–30 % band: exceeded.
    assert band["status"] == "exceeded" and band["method"] == "open_sdg_ratio"
    assert band["inputs"]["previous"] == 12 and band["inputs"]["current"] == 8
    assert band["actual"] == pytest.approx(33.33) and band["formula"]
    assert [item["year"] for item in band["projection"]] == [2025, 2030]
    assert by_kind[("meritorious_poor", "must_be_zero")]["status"] == "achieved"
    assert band["status_label"] == "Vượt chỉ tiêu" and band["status_label_en"] == "Exceeded"
    assert band["method_name"] == "Phương pháp tỷ số (Open SDG)" and band["method_name_en"] == "Open SDG ratio method"


def test_small_numbers_are_judged_by_absolute_change(city, clients):
    (row,) = results(clients["district_officer"].get("/api/v1/progress/", {"unit": "09625", "year": 2024}))
    band = next(t for t in row["targets"] if t["kind"] == "reduction_band" and t["indicator"] == "poor")
    assert band["method"] == "absolute_change" and band["small_numbers"] is True and band["status"] == "achieved"


def test_progress_csv_has_one_line_per_target(city, clients):
    response = clients["city_leader"].get("/api/v1/progress/", {"unit": "01", "year": 2024, "format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(table) == 8 and {"unit", "year", "plan", "status", "method", "formula", "projection_2030"} <= set(
        table[0]
    )
    assert {line["plan"] for line in table} == {"51-KH/TU"}


def test_progress_takes_a_fixed_number_of_queries(city, clients):
    client = clients["city_leader"]
    with CaptureQueriesContext(connection) as one_unit:
        client.get("/api/v1/progress/", {"unit": "00001", "year": 2024})
    with CaptureQueriesContext(connection) as every_unit:
        client.get("/api/v1/progress/", {"year": 2024})
    # token, count, page, previous and baseline rows, plan, targets, at most two levels of ancestors
    assert len(one_unit.captured_queries) <= 8 and len(every_unit.captured_queries) <= 8


def test_progress_refuses_a_bad_year(city, clients):
    assert_error(clients["city_leader"].get("/api/v1/progress/", {"year": "20x4"}), 400, "invalid")


def test_targets_and_plan_describe_plan_51_and_the_draft_2026_2030_plan(city, clients):
    targets = results(clients["commune_officer"].get("/api/v1/targets/", {"indicator": "poor", "plan": "51-KH/TU"}))
    assert {(t["kind"], t["lower_bound"], t["unit"]) for t in targets} >= {("reduction_band", 25.0, None)}
    assert {t["plan"] for t in targets} == {"51-KH/TU"} and not any(t["needs_verification"] for t in targets)
    plan, draft = results(clients["commune_officer"].get("/api/v1/plan/"))
    assert plan["code"] == "51-KH/TU" and len(plan["objective_groups"]) == 3 and len(plan["task_groups"]) == 5
    assert {indicator["code"] for indicator in plan["indicators"]} >= {"poor", "near_poor", "meritorious_poor"}
    assert (plan["closing_year"], plan["needs_verification"]) == (2025, False)
    assert (draft["baseline_year"], draft["needs_verification"], draft["issued_on"]) == (2026, True, None)
    assert "dự kiến, cần kiểm chứng" in draft["title"]
    drafts = results(clients["commune_officer"].get("/api/v1/targets/", {"plan": draft["code"]}))
    assert len(drafts) == 5 and all(t["needs_verification"] for t in drafts)


def test_progress_says_which_plan_it_judged_against_and_accepts_another(city, clients):
    client = clients["city_leader"]
    (row,) = results(client.get("/api/v1/progress/", {"unit": "01", "year": 2024}))
    assert (row["plan"], row["plan_needs_verification"]) == ("51-KH/TU", False)
    by_kind = {(t["indicator"], t["kind"]): t for t in row["targets"]}
    # QĐ 1362/QĐ-UBND: no re-poor household, and basically no meritorious near-poor household by end 2025
    assert "1362/QĐ-UBND" in by_kind[("re_poor", "must_be_zero")]["source"]
    deadline = by_kind[("meritorious_near_poor", "count_by_deadline")]
    assert deadline["method"] == "pace" and deadline["method_name_en"] == "Pace comparison (households a year)"
    assert deadline["needs_verification"] is True
    (draft,) = results(client.get("/api/v1/progress/", {"unit": "01", "year": 2024, "plan": "KH-2026-2030-DU-KIEN"}))
    assert draft["plan"] == "KH-2026-2030-DU-KIEN" and draft["plan_needs_verification"] is True
    assert draft["targets"] == []  # the draft's targets start in 2027


def test_progress_refuses_an_unknown_plan(city, clients):
    error = assert_error(clients["city_leader"].get("/api/v1/progress/", {"plan": "51-KH"}), 400, "invalid")
    assert error["details"][0]["field"] == "plan"
    assert_error(clients["city_leader"].get("/api/v1/progress/", {"plan": ""}), 400)


def test_the_closing_report_of_plan_51_covers_2021_to_2025_in_vietnamese_and_english(city, clients):
    plan, _ = results(clients["commune_officer"].get("/api/v1/plan/"))
    response = clients["city_leader"].get(f"/api/v1/plan/{plan['id']}/closing/")
    assert response.status_code == 200, response.content
    report = response.json()
    assert (report["plan"], report["unit"], report["first_year"], report["last_year"]) == ("51-KH/TU", "01", 2021, 2025)
    assert report["missing_years"] == [2021, 2022, 2025]  # the fixture reviews 2023 and 2024 only
    by_kind = {(t["indicator"], t["kind"]): t for t in report["targets"]}
    assert len(by_kind) == 8
    merit = by_kind[("meritorious_poor", "must_be_zero")]
    assert [item["year"] for item in merit["years"]] == [2021, 2022, 2023, 2024, 2025]
    by_year = {item["year"]: item for item in merit["years"]}
    assert by_year[2023]["value"] == 1 and by_year[2023]["status"] == "off_track"
    assert by_year[2023]["status_label_en"] == "Off track" and by_year[2023]["method"] == "must_be_zero"
    assert by_year[2021]["applies"] is False  # the baseline year: no target yet
    verdict = merit["verdict"]
    assert verdict["status"] == "not_met" and verdict["years_not_met"] == [2023]
    assert (verdict["status_label"], verdict["status_label_en"]) == ("Không đạt chỉ tiêu", "Not met")
    assert verdict["method_name_en"] == "Judged year by year" and verdict["rule_en"]
    assert by_kind[("poor", "count_by_deadline")]["verdict"]["status"] == "incomplete"  # no end-2025 figure
    assert by_kind[("poor", "count_by_deadline")]["target_en"] == "No household left by the end of 2025"


def test_the_closing_report_of_an_unknown_plan_is_404(city, clients):
    assert_error(clients["city_leader"].get("/api/v1/plan/999999/closing/"), 404)
    assert_error(clients["anonymous"].get("/api/v1/plan/1/closing/"), 401)


def test_units_filter_by_level_parent_code_and_year(city, clients):
    client = clients["city_leader"]
    communes = results(client.get("/api/v1/units/", {"level": "commune", "parent": "271"}))
    assert [unit["code"] for unit in communes] == ["09625", "09628"]
    assert results(client.get("/api/v1/units/", {"code": "001"}))[0]["parent"] == "01"
    assert results(client.get("/api/v1/units/", {"year": 2026, "level": "commune"})) == []
    assert_error(client.get("/api/v1/units/", {"level": "nation"}), 400, "invalid")


@pytest.mark.parametrize("path", ["units/", "progress/", "targets/", "plan/"])
def test_aggregate_endpoints_need_a_token(city, clients, path):
    assert_error(clients["anonymous"].get(f"/api/v1/{path}"), 401, "not_authenticated")
