"""What schema-driven clients rely on: every answer documented, and every parameter the schema
refuses refused by the server too (a blank value, a page size out of bounds, a boolean that is
neither true nor false), so a typo never silently returns the whole registry."""

import pytest
from rest_framework.test import APIClient

from tests.api.checks import assert_error

pytestmark = pytest.mark.django_db

COMMON_ERRORS = {"400", "401", "404", "429"}


@pytest.fixture
def schema():
    return APIClient().get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()


def operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield f"{method.upper()} {path}", operation


def test_every_operation_documents_the_errors_any_call_may_meet(schema):
    missing = {name: COMMON_ERRORS - set(op["responses"]) for name, op in operations(schema)}
    assert {name: codes for name, codes in missing.items() if codes} == {}


def test_every_string_query_parameter_may_not_be_blank_and_integers_say_their_bounds(schema):
    for name, operation in operations(schema):
        for parameter in operation.get("parameters", []):
            kind = parameter["schema"].get("type")
            if parameter["in"] == "query" and kind == "string":
                assert parameter["schema"]["minLength"] == 1, (name, parameter["name"])
                assert "enum" in parameter["schema"] or "pattern" in parameter["schema"], (name, parameter["name"])
            if parameter["name"] in ("year", "household", "commune"):
                # year=2022,2023 on indicators/ and progress/: a comma-separated list of bounded years
                single = parameter["schema"]["items"] if kind == "array" else parameter["schema"]
                assert single["type"] == "integer" and "minimum" in single, (name, parameter["name"])
                assert kind == "integer" or parameter["explode"] is False, (name, parameter["name"])
    households = dict(operations(schema))["GET /api/v1/households/"]
    assert "sort" not in {parameter["name"] for parameter in households["parameters"]}  # the cursor orders


@pytest.mark.parametrize(
    ("path", "blank"),
    [
        ("/api/v1/indicators/?unit=&year=2024", "unit"),
        ("/api/v1/households/?village=", "village"),
        ("/api/v1/targets/?kind=&indicator=", "indicator"),
    ],
)
def test_a_blank_parameter_is_refused_and_named(city, clients, path, blank):
    error = assert_error(clients["city_leader"].get(path), 400, "invalid")
    assert blank in {detail["field"] for detail in error["details"]}


def test_the_officers_pages_still_take_blank_form_fields(city, users, client):
    client.force_login(users["district_officer"])
    assert client.get("/households/?q=&commune=&poverty_class=").status_code == 200


@pytest.mark.parametrize("size", ["0", "1001", "ten", "-5"])
def test_a_page_size_out_of_bounds_is_refused_not_replaced(city, clients, size):
    error = assert_error(clients["administrator"].get("/api/v1/households/", {"page_size": size}), 400, "invalid")
    assert error["details"][0]["field"] == "page_size"


def test_the_largest_page_size_is_served(city, clients):
    assert clients["administrator"].get("/api/v1/households/", {"page_size": 1000}).status_code == 200


@pytest.mark.parametrize("query", [{"city_wide": "maybe"}, {"city_wide": "1"}, {"year": "2024.5"}])
def test_targets_refuse_a_boolean_or_a_year_they_cannot_read(city, clients, query):
    assert_error(clients["city_leader"].get("/api/v1/targets/", query), 400, "invalid")


def test_targets_read_city_wide_true_and_false(city, clients):
    everything = clients["city_leader"].get("/api/v1/targets/").json()["count"]
    city_wide = clients["city_leader"].get("/api/v1/targets/", {"city_wide": "true"}).json()["count"]
    per_unit = clients["city_leader"].get("/api/v1/targets/", {"city_wide": "false"}).json()["count"]
    assert city_wide + per_unit == everything and city_wide > 0


def test_a_post_with_a_session_to_an_unknown_api_path_is_a_json_404_not_a_csrf_page(city, users):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(users["administrator"])
    assert_error(client.post("/api/v1/imports/0.5/confirm/"), 404, "not_found")


def test_a_null_character_in_a_parameter_is_refused_as_the_schema_says(city, clients):
    assert_error(clients["city_leader"].get("/api/v1/units/", {"code": "01\x00"}), 400, "invalid")


def test_the_browsable_api_s_filter_form_may_leave_fields_blank(city, users):
    client = APIClient()
    client.force_login(users["administrator"])
    response = client.get("/api/v1/households/?q=&village=&flags=meritorious&flags=", HTTP_ACCEPT="text/html")
    assert response.status_code == 200 and b"<html" in response.content


@pytest.mark.parametrize("number", ["0", "-1", "9999", "two"])  # not "page": Playwright's fixture
def test_a_page_number_that_does_not_exist_is_a_404_in_the_error_shape(city, clients, number):
    assert_error(clients["city_leader"].get("/api/v1/units/", {"page": number}), 404, "not_found")


def test_filtering_the_registry_by_another_districts_commune_finds_nothing(city, clients):
    """`commune` is a plain id filter on the API (no list of allowed choices), so it is the scope
    of visible_to() that keeps Ba Vì's households from a Ba Đình officer."""
    ba_vi_commune = city["units"]["09625"].pk
    own = clients["other_district_officer"].get("/api/v1/households/", {"commune": ba_vi_commune}).json()
    other = clients["district_officer"].get("/api/v1/households/", {"commune": ba_vi_commune})
    assert own["results"], "Ba Vì's officer sees Phú Cường's households"
    assert other.status_code == 200 and other.json()["results"] == []


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("unit=01&unit=271", "unit"),  # kept only the last before
        ("year__gte=2022", "year__gte"),
        ("foo=1", "foo"),
    ],
)
def test_a_repeated_or_unknown_parameter_is_refused_and_named(city, clients, query, named):
    response = clients["city_leader"].get(f"/api/v1/indicators/?{query}")
    assert response.status_code == 400
    assert named in response.json()["error"]["message"]


def test_a_detail_route_refuses_unknown_parameters_too(city, clients):
    assert clients["city_leader"].get("/api/v1/units/01/", {"foo": "1"}).status_code == 400


def test_a_parameter_that_takes_several_values_may_be_repeated(city, clients):
    response = clients["city_officer"].get("/api/v1/households/?flags=meritorious&flags=ethnic_minority")
    assert response.status_code == 200, response.json()


def test_api_answers_are_gzipped_when_asked_and_pages_are_not(city, clients, client):
    response = clients["city_leader"].get("/api/v1/indicators/", {"format": "csv"}, HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200 and response["Content-Encoding"] == "gzip"
    import gzip

    assert gzip.decompress(response.content).decode("utf-8-sig").startswith("unit,")
    assert not client.get("/accounts/login/", HTTP_ACCEPT_ENCODING="gzip").has_header("Content-Encoding")


def test_a_gzipped_answer_s_etag_still_gives_304(city, clients):
    client = clients["city_leader"]
    first = client.get("/api/v1/indicators/", {"unit": "01"}, HTTP_ACCEPT_ENCODING="gzip")
    again = client.get(
        "/api/v1/indicators/", {"unit": "01"}, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=first["ETag"]
    )
    assert again.status_code == 304
