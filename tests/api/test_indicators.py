"""indicators/: the snapshot's public fields, filters, conditional requests, CSV and open data."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from rest_framework.test import APIClient

from reports.queries import INDICATOR_FIELDS
from tests.api.checks import assert_error

pytestmark = pytest.mark.django_db
URL = "/api/v1/indicators/"


def rows(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_a_commune_year_carries_exactly_the_contract_fields_with_rates_as_two_decimal_numbers(city, clients):
    (row,) = rows(clients["city_leader"].get(URL, {"unit": "00001", "year": 2024}))
    assert list(row) == INDICATOR_FIELDS
    assert (row["unit"], row["year"], row["poor"], row["escaped"], row["total_households"]) == (
        "00001",
        2024,
        8,
        4,
        1000,
    )
    assert row["poverty_rate"] == 0.8  # 8 of 1000 households, as a number
    assert row["poor_reduction_rate"] == pytest.approx(33.33)  # (12 − 8) ÷ 12, two decimals
    assert row["meritorious_poor"] == 0


def test_the_city_is_unit_01_and_a_rate_without_a_previous_year_is_null(city, clients):
    (row,) = rows(clients["commune_officer"].get(URL, {"unit": "01", "year": 2023}))
    assert (row["poor"], row["meritorious_poor"]) == (15, 1)
    assert row["poor_reduction_rate"] is None


def test_level_and_parent_filter_the_snapshot(city, clients):
    found = rows(clients["city_leader"].get(URL, {"level": "commune", "parent": "271", "year": 2024}))
    assert sorted(row["unit"] for row in found) == ["09625", "09628"]
    districts = rows(clients["city_leader"].get(URL, {"level": "district", "year": 2023}))
    assert {row["unit"]: row["poor"] for row in districts} == {"001": 12, "271": 3}


@pytest.mark.parametrize(
    "params",
    [{"year": "abc"}, {"year": "99999"}, {"unit": "abc"}, {"level": "province"}, {"structure": "1999"}],
)
def test_bad_parameters_are_a_400_with_the_stable_error_shape(city, clients, params):
    error = assert_error(clients["city_leader"].get(URL, params), 400, "invalid")
    assert error["details"][0]["field"] == next(iter(params))


def test_an_unknown_unit_is_an_empty_page_not_an_error(city, clients):
    assert rows(clients["city_leader"].get(URL, {"unit": "99999"})) == []


def test_without_a_token_the_answer_is_401_in_the_error_shape(city):
    assert_error(APIClient().get(URL), 401, "not_authenticated")


def test_a_wrong_token_is_refused(city):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token nope")
    assert_error(client.get(URL), 401, "authentication_failed")


def test_conditional_requests_answer_304_until_the_next_recompute(city, clients):
    client = clients["city_leader"]
    first = client.get(URL, {"unit": "01"})
    assert first.status_code == 200 and first["ETag"] and first["Last-Modified"]
    assert client.get(URL, {"unit": "01"}, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert client.get(URL, {"unit": "01"}, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    assert client.get(URL, {"unit": "001"}, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200

    from reports.recompute import recompute_progress

    recompute_progress(requested_by="tests")
    again = client.get(URL, {"unit": "01"}, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200 and again["ETag"] != first["ETag"]


def test_csv_gives_the_same_rows_and_fields(city, clients):
    client = clients["city_leader"]
    response = client.get(URL, {"year": 2024, "format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert list(table[0]) == INDICATOR_FIELDS
    as_json = rows(client.get(URL, {"year": 2024}))
    assert [row["unit"] for row in table] == [row["unit"] for row in as_json]
    phuc_xa = next(row for row in table if row["unit"] == "00001")
    assert (phuc_xa["poor"], phuc_xa["poverty_rate"]) == ("8", "0.8")


def test_history_on_todays_units_is_asked_for_with_structure_2025(city, clients):
    # The small city has no 2025 units: only the city's own rows answer.
    found = rows(clients["city_leader"].get(URL, {"structure": 2025}))
    assert {row["unit"] for row in found} == {"01"}


@override_settings(OPEN_DATA_INDICATORS=True, OPEN_DATA_SUPPRESSION_THRESHOLD=5)
def test_open_data_answers_without_a_token_and_suppresses_counts_from_1_to_4(city, clients):
    found = {(row["unit"], row["year"]): row for row in rows(APIClient().get(URL, {"level": "commune"}))}
    small = found[("09625", 2024)]  # 2 poor households
    assert small["poor"] is None and small["poverty_rate"] is None and small["poor_reduction_rate"] is None
    assert "poor" in small["suppressed"] and "poverty_rate" in small["suppressed"]
    assert small["escaped"] is None  # 1 escaped
    big = found[("00001", 2024)]  # 8 poor, 4 escaped, 0 meritorious
    assert big["poor"] == 8 and big["meritorious_poor"] == 0 and big["escaped"] is None
    assert big["poor_reduction_rate"] == pytest.approx(33.33)
    assert big["meritorious_poor"] == 0 and "meritorious_poor" not in big["suppressed"]  # zero is published
    no_data = found[("09628", 2024)]  # no review at all: null because unknown, not suppressed
    assert no_data["poor"] is None and no_data["reviewed_households"] == 0 and no_data["suppressed"] == []


@override_settings(OPEN_DATA_INDICATORS=True)
def test_open_data_leaves_token_holders_with_the_exact_figures(city, clients):
    (row,) = rows(clients["city_leader"].get(URL, {"unit": "09625", "year": 2024}))
    assert row["poor"] == 2 and "suppressed" not in row


def test_open_data_is_off_by_default(city):
    assert APIClient().get(URL).status_code == 401


def test_indicators_take_a_fixed_number_of_queries_whatever_the_data_size(city, clients):
    client = clients["city_leader"]
    with CaptureQueriesContext(connection) as small:
        assert client.get(URL).status_code == 200
    from households.models import UnitYear
    from reports.recompute import recompute_progress

    UnitYear.objects.filter(year=2024).update(total_households=2000)
    recompute_progress(requested_by="tests")
    with CaptureQueriesContext(connection) as again:
        assert client.get(URL, {"year": 2024, "level": "commune"}).status_code == 200
    # token + user, current run, count, page
    assert len(small.captured_queries) == len(again.captured_queries) <= 5


def test_a_repeated_question_is_answered_from_the_cache_until_the_next_run(city, clients):
    client = clients["city_leader"]
    first = client.get(URL, {"unit": "01", "year": 2024})
    with CaptureQueriesContext(connection) as cached:
        again = client.get(URL, {"unit": "01", "year": 2024})
    assert again.json() == first.json() and len(cached.captured_queries) == 2  # token + user, current run

    from households.models import UnitYear
    from reports.recompute import recompute_progress

    UnitYear.objects.filter(year=2024).update(total_households=2000)
    recompute_progress(requested_by="tests")
    (row,) = rows(client.get(URL, {"unit": "01", "year": 2024}))
    assert row["total_households"] == 4 * 2000


# --- no data is not zero ---------------------------------------------------------------------------


def test_a_unit_year_without_an_approved_review_is_null_not_zero_and_says_what_it_rests_on(city, clients):
    (no_data,) = rows(clients["city_leader"].get(URL, {"unit": "09628", "year": 2024}))  # Cổ Đô: no review
    for name in ["poor", "near_poor", "poverty_rate", "escaped", "newly_poor", "re_poor", "meritorious_poor"]:
        assert no_data[name] is None, name
    assert no_data["poor_reduction_rate"] is None and no_data["reclassified"] is None
    assert (no_data["reviewed_households"], no_data["communes_reviewed"], no_data["communes_total"]) == (0, 0, 1)
    assert no_data["total_households"] == 1000  # the denominator is known whatever the reviews
    (ba_vi,) = rows(clients["city_leader"].get(URL, {"unit": "271", "year": 2024}))
    assert (ba_vi["poor"], ba_vi["reviewed_households"]) == (2, 3)
    assert (ba_vi["communes_reviewed"], ba_vi["communes_total"]) == (1, 2)
    (whole,) = rows(clients["city_leader"].get(URL, {"unit": "01", "year": 2024}))
    assert (whole["reviewed_households"], whole["communes_reviewed"], whole["communes_total"]) == (15, 2, 4)
    assert whole["reclassified"] == 0


def test_csv_leaves_a_null_cell_empty_and_carries_the_coverage_columns(city, clients):
    response = clients["city_leader"].get(URL, {"unit": "09628", "year": 2024, "format": "csv"})
    (line,) = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert (line["poor"], line["poverty_rate"], line["escaped"]) == ("", "", "")
    assert (line["reviewed_households"], line["communes_reviewed"], line["communes_total"]) == ("0", "0", "1")


def test_progress_of_a_unit_without_data_is_no_data_for_every_target(city, clients):
    response = clients["city_leader"].get("/api/v1/progress/", {"unit": "09628", "year": 2024})
    assert response.status_code == 200
    (record,) = response.json()["results"]
    assert record["targets"] and {t["status"] for t in record["targets"]} == {"no_data"}
    assert {t["status_label_en"] for t in record["targets"]} == {"No data"}


def test_the_schema_documents_the_coverage_fields_and_the_nullable_counts(city, clients):
    schema = APIClient().get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    fields = schema["components"]["schemas"]["Indicator"]["properties"]
    for name in ["reviewed_households", "communes_reviewed", "communes_total", "reclassified"]:
        assert name in fields, name
    for name in ["poor", "escaped", "poverty_rate", "poor_reduction_rate", "reclassified"]:
        assert fields[name].get("nullable") is True, name
    assert "nullable" not in fields["reviewed_households"]
    required = schema["components"]["schemas"]["Indicator"]["required"]
    assert {"reviewed_households", "communes_reviewed", "communes_total"} <= set(required)
