"""What a data team needs without asking: data packages beside the CSV, fixed CSV columns, several
units and years in one call, the long shape, the indicator catalogue and the API root."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import frictionless
import pandas as pd
import pytest
from django.test.utils import override_settings

from reports.datapackage import PROGRESS_INPUTS, UNIT_COLUMNS
from reports.queries import INDICATOR_FIELDS
from targets import progress
from tests.api.checks import assert_error

pytestmark = pytest.mark.django_db
INDICATORS, PROGRESS = "/api/v1/indicators/", "/api/v1/progress/"


def csv_text(response) -> str:
    assert response.status_code == 200, response.content
    return response.content.decode("utf-8-sig")


def header(response) -> list[str]:
    return next(csv.reader(io.StringIO(csv_text(response))))


def described_by(response, client) -> dict:
    """The package the CSV response's Link header names, fetched as a client would."""
    link = response["Link"]
    assert link.endswith('>; rel="describedby"; type="application/json"')
    url = link[1 : link.index(">")]
    package = client.get(url)
    assert package.status_code == 200 and package["Content-Type"].startswith("application/json")
    return package.json()


def validate_locally(package: dict, csv_response, tmp_path, resource: str | None = None) -> frictionless.Report:
    """frictionless on the package's resource (the first by default) with the CSV downloaded from
    the test server saved beside it."""
    chosen = next(item for item in package["resources"] if resource in (None, item["name"]))
    (tmp_path / "data.csv").write_bytes(csv_response.content)
    package = {**package, "resources": [{**chosen, "path": "data.csv"}]}
    (tmp_path / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    return frictionless.validate(str(tmp_path / "datapackage.json"))


# --- data packages -------------------------------------------------------------------------------


def test_the_indicators_csv_links_its_data_package_which_validates_it(city, clients, tmp_path):
    client = clients["city_leader"]
    response = client.get(INDICATORS, {"format": "csv"})
    package = described_by(response, client)
    resource = package["resources"][0]
    fields = {field["name"]: field for field in resource["schema"]["fields"]}
    assert list(fields) == header(response) == INDICATOR_FIELDS
    assert fields["unit"]["type"] == "string" and resource["schema"]["primaryKey"] == ["unit", "year"]
    assert (fields["poor"]["type"], fields["poor"]["unit"], fields["poverty_rate"]["unit"]) == (
        "integer",
        "households",
        "%",
    )
    assert "Số hộ nghèo" in fields["poor"]["description"] and "Poor households" in fields["poor"]["description"]
    assert resource["path"] == "http://testserver/api/v1/indicators/?format=csv"
    report = validate_locally(package, response, tmp_path)
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


@pytest.mark.parametrize("path", [INDICATORS, PROGRESS])
def test_pandas_keeps_every_unit_code_as_the_readme_says(city, clients, tmp_path, path):
    client = clients["city_leader"]
    response = client.get(path, {"format": "csv"})
    (tmp_path / "data.csv").write_bytes(response.content)
    package = described_by(response, client)
    key = package["resources"][0]["schema"]["primaryKey"]
    fields = package["resources"][0]["schema"]["fields"]
    by_hand = pd.read_csv(tmp_path / "data.csv", dtype={"unit": str})
    by_package = pd.read_csv(tmp_path / "data.csv", dtype={f["name"]: str for f in fields if f["type"] == "string"})
    for table in (by_hand, by_package):
        assert {"01", "001", "00001", "09625"} <= set(table["unit"])
        assert not table.duplicated(key).any()
    guessed = pd.read_csv(tmp_path / "data.csv")  # what the issue saw: 01, 001, 00001 → 1
    assert guessed.duplicated(key).any()


@override_settings(OPEN_DATA_INDICATORS=True)
def test_an_open_data_package_describes_the_suppressed_column_too(city, clients, tmp_path):
    client = clients["anonymous"]
    response = client.get(INDICATORS, {"format": "csv"})
    package = described_by(response, client)
    assert [field["name"] for field in package["resources"][0]["schema"]["fields"]] == header(response)
    assert header(response)[-1] == "suppressed"
    report = validate_locally(package, response, tmp_path)
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_the_progress_csv_links_its_data_package_which_validates_it(city, clients, tmp_path):
    client = clients["city_leader"]
    response = client.get(PROGRESS, {"format": "csv"})
    package = described_by(response, client)
    schema = package["resources"][0]["schema"]
    assert [field["name"] for field in schema["fields"]] == header(response)
    assert schema["primaryKey"] == ["unit", "year", "target_id"]
    units = {field["name"]: field.get("unit") for field in schema["fields"]}
    assert (units["inputs.achieved_pace"], units["inputs.lower_bound"], units["inputs.current"]) == (
        "households/year",
        "%",
        "households",
    )
    report = validate_locally(package, response, tmp_path)
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


@pytest.mark.parametrize(("path", "name"), [(INDICATORS, "indicators-long"), (PROGRESS, "progress-long")])
def test_the_long_csv_is_described_by_the_same_package_and_validates(city, clients, tmp_path, path, name):
    client = clients["city_leader"]
    response = client.get(path, {"format": "csv", "shape": "long"})
    package = described_by(response, client)
    (resource,) = [item for item in package["resources"] if item["name"] == name]
    assert resource["path"] == f"http://testserver{path}?format=csv&shape=long"
    assert [field["name"] for field in resource["schema"]["fields"]] == header(response)
    report = validate_locally(package, response, tmp_path, resource=name)
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert "Link" not in client.get(path)  # JSON answers name no package


def test_the_packages_take_no_parameter(city, clients):
    assert_error(clients["city_leader"].get("/api/v1/indicators/datapackage.json", {"unit": "01"}), 400, "invalid")


# --- progress/'s CSV columns ----------------------------------------------------------------------


def test_the_progress_csv_has_the_same_header_for_every_query(city, clients):
    client = clients["city_leader"]
    queries = [
        {"unit": "01", "year": 2024},
        {"unit": "09625", "year": 2023},
        {"unit": "00004", "year": 2024, "plan": "KH-2026-2030-DU-KIEN"},
        {"year": 2099},  # no row at all: the header alone
    ]
    headers = [header(client.get(PROGRESS, {**query, "format": "csv"})) for query in queries]
    assert headers[0] == headers[1] == headers[2] == headers[3]
    assert {"inputs.achieved_pace", "inputs.lower_bound", "projection_2025", "projection_2030"} <= set(headers[0])


def test_every_input_a_judgement_carries_is_a_column():
    judgements = [
        progress.assess_reduction(100, 70, 25, 30),
        progress.assess_reduction(5, 4, 25, 30),
        progress.assess_reduction(None, 4, 25),
        progress.assess_count_by_deadline(3612, 2021, 690, 2023, 2025),
        progress.assess_count_by_deadline(3612, 2021, None, 2023, 2025),
        progress.assess_must_be_zero(2),
        progress.assess_fewer_than_last_year(3, 2),
    ]
    names = {name for judgement in judgements for name in judgement.inputs}
    assert names <= set(PROGRESS_INPUTS), names - set(PROGRESS_INPUTS)
    assert isinstance(judgements[0].inputs["lower_bound"], Decimal)


# --- several units and years ---------------------------------------------------------------------


def all_rows(client, path, params) -> list[dict]:
    response = client.get(path, {**params, "format": "csv"})
    return list(csv.DictReader(io.StringIO(csv_text(response))))


@pytest.mark.parametrize("path", [INDICATORS, PROGRESS])
def test_several_units_and_years_answer_the_union_of_single_queries(city, clients, path):
    client = clients["city_leader"]
    together = all_rows(client, path, {"unit": "01,271,00001", "year": "2023,2024"})
    single = [
        row
        for unit in ("01", "271", "00001")
        for year in (2023, 2024)
        for row in all_rows(client, path, {"unit": unit, "year": year})
    ]
    key = (lambda row: (row["unit"], row["year"], row.get("target_id", ""))) if path == PROGRESS else None
    assert together and sorted(together, key=key or (lambda row: (row["unit"], row["year"]))) == sorted(
        single, key=key or (lambda row: (row["unit"], row["year"]))
    )


def test_a_year_range_and_level_with_parent_filter_together(city, clients):
    client = clients["city_leader"]
    ranged = client.get(INDICATORS, {"year_from": 2024, "year_to": 2030, "level": "commune", "parent": "271"})
    assert {(row["unit"], row["year"]) for row in ranged.json()["results"]} == {("09625", 2024), ("09628", 2024)}
    assert client.get(INDICATORS, {"year_to": 2022}).json()["results"] == []


@pytest.mark.parametrize(
    ("params", "field", "named"),
    [
        ({"unit": "01,abc"}, "unit", "abc"),
        ({"unit": "01,,271"}, "unit", "«»"),
        ({"year": "2023,1999"}, "year", "1999"),
        ({"year": "2023,x"}, "year", "«x»"),
        ({"year_from": "2025", "year_to": "2023"}, "year_from", "2025"),
        ({"year_to": "20x"}, "year_to", ""),
        ({"shape": "tall"}, "shape", "tall"),
    ],
)
@pytest.mark.parametrize("path", [INDICATORS, PROGRESS])
def test_bad_list_range_and_shape_values_are_refused_naming_them(city, clients, path, params, field, named):
    error = assert_error(clients["city_leader"].get(path, params), 400, "invalid")
    (detail,) = [detail for detail in error["details"] if detail["field"] == field]
    assert named in detail["message"]


@pytest.mark.parametrize("path", [INDICATORS, PROGRESS])
def test_a_list_parameter_sent_twice_is_still_refused(city, clients, path):
    error = assert_error(clients["city_leader"].get(f"{path}?unit=01&unit=271"), 400, "invalid")
    assert error["details"][0] == {"field": "unit", "message": error["details"][0]["message"], "code": "repeated"}


# --- ?shape=long --------------------------------------------------------------------------------


def test_indicators_in_the_long_shape(city, clients):
    client = clients["city_leader"]
    (wide,) = client.get(INDICATORS, {"unit": "00001", "year": 2024}).json()["results"]
    long = client.get(INDICATORS, {"unit": "00001", "year": 2024, "shape": "long"}).json()
    assert {tuple(row) for row in long} == {(*UNIT_COLUMNS, "year", "indicator", "value", "status")}
    assert {row["indicator"]: row["value"] for row in long} == {
        name: wide[name] for name in INDICATOR_FIELDS if name not in (*UNIT_COLUMNS, "year", "computed_at")
    }
    assert {tuple(row[name] for name in (*UNIT_COLUMNS, "year", "status")) for row in long} == {
        ("00001", "Phường Phúc Xá", "commune", 2008, 2024, None)
    }
    rows = all_rows(client, INDICATORS, {"unit": "00001", "year": 2024, "shape": "long"})
    assert len(rows) == len(long) and list(rows[0]) == [*UNIT_COLUMNS, "year", "indicator", "value", "status"]
    assert {row["indicator"]: row["value"] for row in rows}["poor"] == "8"
    assert (rows[0]["unit_level"], rows[0]["unit_structure"]) == ("commune", "2008")


def test_progress_in_the_long_shape(city, clients):
    client = clients["city_leader"]
    (wide,) = client.get(PROGRESS, {"unit": "01", "year": 2024}).json()["results"]
    long = client.get(PROGRESS, {"unit": "01", "year": 2024, "shape": "long"}).json()
    assert [(row["target_id"], row["indicator"], row["status"]) for row in long] == [
        (target["target_id"], target["indicator"], target["status"]) for target in wide["targets"]
    ]
    poor = [row for row in long if row["indicator"] == "poor"]
    assert (
        poor and {row["value"] for row in poor} == {10} and {row["unit_name"] for row in poor} == {"Thành phố Hà Nội"}
    )
    rows = all_rows(client, PROGRESS, {"unit": "01", "year": 2024, "shape": "long"})
    assert list(rows[0]) == [*UNIT_COLUMNS, "year", "indicator", "value", "status", "target_id"]
    assert {(row["unit_level"], row["unit_structure"]) for row in long} == {("city", 2008)}


# --- the catalogue and the root -------------------------------------------------------------------


def test_the_catalogue_defines_every_column_in_both_languages(city, clients):
    response = clients["anonymous"].get("/api/v1/indicators/catalogue/")
    assert response.status_code == 200
    entries = {entry["name"]: entry for entry in response.json()}
    assert [name for name, entry in entries.items() if entry["in_indicators"]] == INDICATOR_FIELDS
    for entry in entries.values():
        assert entry["title"] and entry["title_en"] and entry["definition"] and entry["definition_en"]
        assert entry["source"]
    assert (entries["poor"]["unit_of_measure"], entries["poverty_rate"]["unit_of_measure"]) == ("households", "%")
    assert (entries["poverty_rate"]["numerator"], entries["poverty_rate"]["denominator"]) == (
        "poor",
        "total_households",
    )
    assert entries["poor"]["first_year"] == 2021 and entries["escaped"]["first_year"] == 2022


def test_the_catalogue_and_plan_agree(city, clients):
    entries = {entry["name"]: entry for entry in clients["anonymous"].get("/api/v1/indicators/catalogue/").json()}
    plans = clients["city_leader"].get("/api/v1/plan/").json()["results"]
    for plan in plans:
        for indicator in plan["indicators"]:
            entry = entries[indicator["code"]]
            tracked = {item["plan"]: item for item in entry["plans"]}
            assert tracked[plan["code"]] == {
                "plan": plan["code"],
                "name": indicator["name"],
                "name_en": indicator["name_en"],
            }
            assert (entry["title"], entry["title_en"]) == (indicator["name"], indicator["name_en"])


def test_the_api_root_lists_the_endpoints_packages_and_schema(city, clients):
    root = clients["anonymous"].get("/api/v1/").json()
    assert root["indicators_datapackage"] == "http://testserver/api/v1/indicators/datapackage.json"
    assert root["progress_datapackage"] == "http://testserver/api/v1/progress/datapackage.json"
    assert root["schema"] == "http://testserver/api/v1/schema/"
    assert root["indicators_catalogue"] == "http://testserver/api/v1/indicators/catalogue/"
    for url in root.values():
        path = url.removeprefix("http://testserver")
        assert clients["administrator"].get(path).status_code == 200, path


def test_the_browsable_api_offers_the_portals_login_and_a_signed_in_user_a_way_back(city, users, client):
    page = client.get("/api/v1/indicators/?year=2024", HTTP_ACCEPT="text/html").content.decode()
    assert 'href="/accounts/login/?next=/api/v1/indicators/%3Fyear%3D2024"' in page
    assert "Đăng nhập" in page

    client.force_login(users["city_leader"])
    page = client.get("/api/v1/", HTTP_ACCEPT="text/html").content.decode()
    assert "leader" in page and 'href="/"' in page and "/accounts/login/" not in page
