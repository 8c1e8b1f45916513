"""progress/, targets/, plan/ and units/: aggregate reads for any valid token."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.api.conftest import assert_error

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
    assert len(table) == 6 and {"unit", "year", "status", "method", "formula", "projection_2030"} <= set(table[0])


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


def test_targets_and_plan_describe_plan_51(city, clients):
    targets = results(clients["commune_officer"].get("/api/v1/targets/", {"indicator": "poor"}))
    assert {(t["kind"], t["lower_bound"], t["unit"]) for t in targets} >= {("reduction_band", 25.0, None)}
    (plan,) = results(clients["commune_officer"].get("/api/v1/plan/"))
    assert plan["code"] == "51-KH/TU" and len(plan["objective_groups"]) == 3 and len(plan["task_groups"]) == 5
    assert {indicator["code"] for indicator in plan["indicators"]} >= {"poor", "near_poor", "meritorious_poor"}


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
