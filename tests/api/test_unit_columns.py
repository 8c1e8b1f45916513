"""Every indicators/ and progress/ row names its unit beside the code: name, level and structure
(2008 or 2025), in JSON, CSV, the long shape and the data packages; codes are reused across the
1 July 2025 reform, so the code alone does not say which unit a figure counts."""

from __future__ import annotations

import csv
import datetime
import io
import json

import frictionless
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from households.importer import import_reviews
from households.models import AdministrativeUnit, Area, Structure, UnitKind, UnitLevel, UnitYear
from reports.datapackage import UNIT_COLUMNS
from reports.recompute import recompute_progress
from tests.builders import ABOVE, csv_file, review_row

pytestmark = pytest.mark.django_db
INDICATORS, PROGRESS = "/api/v1/indicators/", "/api/v1/progress/"
REFORM_START = datetime.date(2025, 7, 1)


def table(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def header(response) -> list[str]:
    return next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.fixture
def reused_code(city):
    """Phường Ba Đình of the 2025 structure carries 00004, Phường Trúc Bạch's code until June 2025."""
    ba_dinh_2025 = AdministrativeUnit.objects.create(
        code="00004",
        name="Phường Ba Đình",
        level=UnitLevel.COMMUNE,
        kind=UnitKind.WARD,
        area=Area.URBAN,
        parent=city["units"]["01"],
        structure=Structure.REFORM_2025,
        valid_from=REFORM_START,
    )
    UnitYear.objects.create(unit=ba_dinh_2025, year=2025, total_households=3000)
    rows = [review_row(f"BA{i:03d}", "00004", 2025, ABOVE) for i in range(2)]
    import_reviews(csv_file(rows), filename="2025.csv", state="approved")
    recompute_progress(requested_by="tests")
    return ba_dinh_2025


def test_a_reused_code_answers_rows_that_say_which_unit_they_count(reused_code, clients):
    found = clients["city_leader"].get(INDICATORS, {"unit": "00004", "year": "2024,2025"}).json()["results"]
    assert [
        (row["year"], row["unit"], row["unit_name"], row["unit_level"], row["unit_structure"]) for row in found
    ] == [
        (2024, "00004", "Phường Trúc Bạch", "commune", 2008),
        (2025, "00004", "Phường Ba Đình", "commune", 2025),
    ]
    assert found[0]["total_households"] == 1000 and found[1]["total_households"] == 3000


def test_the_unit_columns_come_right_after_the_code_in_json_and_csv(city, clients):
    client = clients["city_leader"]
    (row,) = client.get(INDICATORS, {"unit": "271", "year": 2024}).json()["results"]
    assert list(row)[:5] == [*UNIT_COLUMNS, "year"]
    assert (row["unit_name"], row["unit_level"], row["unit_structure"]) == ("Huyện Ba Vì", "district", 2008)
    (line,) = table(client.get(INDICATORS, {"unit": "271", "year": 2024, "format": "csv"}))
    assert list(line)[:5] == [*UNIT_COLUMNS, "year"]
    assert (line["unit"], line["unit_name"], line["unit_level"], line["unit_structure"]) == (
        "271",
        "Huyện Ba Vì",
        "district",
        "2008",
    )


def test_progress_rows_carry_the_unit_columns_in_json_and_csv(city, clients):
    client = clients["city_leader"]
    (record,) = client.get(PROGRESS, {"unit": "01", "year": 2024}).json()["results"]
    assert list(record)[:5] == [*UNIT_COLUMNS, "year"]
    assert (record["unit_name"], record["unit_level"], record["unit_structure"]) == ("Thành phố Hà Nội", "city", 2008)
    lines = table(client.get(PROGRESS, {"unit": "00001", "year": 2024, "format": "csv"}))
    assert lines and {(line["unit_name"], line["unit_level"], line["unit_structure"]) for line in lines} == {
        ("Phường Phúc Xá", "commune", "2008")
    }


@pytest.mark.parametrize("path", [INDICATORS, PROGRESS])
def test_the_csv_header_is_the_same_whatever_the_query(city, clients, path):
    client = clients["city_leader"]
    queries = [{}, {"unit": "01"}, {"level": "commune", "year": 2024}, {"year": 2099}, {"structure": 2025}]
    headers = [header(client.get(path, {**query, "format": "csv"})) for query in queries]
    assert all(found == headers[0] for found in headers) and headers[0][:5] == [*UNIT_COLUMNS, "year"]


@pytest.mark.parametrize("path", [INDICATORS, PROGRESS])
def test_the_data_package_constrains_level_and_structure_so_a_bad_value_fails_validation(city, clients, tmp_path, path):
    client = clients["city_leader"]
    response = client.get(path, {"format": "csv"})
    package = client.get(f"{path}datapackage.json").json()
    resource = package["resources"][0]
    fields = {field["name"]: field for field in resource["schema"]["fields"]}
    assert [name for name in fields][:5] == [*UNIT_COLUMNS, "year"]
    assert fields["unit_level"]["constraints"]["enum"] == ["city", "district", "commune"]
    assert (fields["unit_structure"]["type"], fields["unit_structure"]["constraints"]["enum"]) == (
        "integer",
        [2008, 2025],
    )
    assert "Tên đơn vị" in fields["unit_name"]["title"] and "Unit name" in fields["unit_name"]["title"]

    def validate(content: bytes) -> frictionless.Report:
        (tmp_path / "data.csv").write_bytes(content)
        local = {**package, "resources": [{**resource, "path": "data.csv"}]}
        (tmp_path / "datapackage.json").write_text(json.dumps(local), encoding="utf-8")
        return frictionless.validate(str(tmp_path / "datapackage.json"))

    report = validate(response.content)
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    broken = validate(response.content.replace(b",commune,2008,", b",province,2008,", 1))
    assert not broken.valid
    assert {error[0] for error in broken.flatten(["fieldName"])} == {"unit_level"}


def test_the_long_package_names_the_unit_columns_too(city, clients):
    package = clients["city_leader"].get(f"{PROGRESS}datapackage.json").json()
    (long,) = [item for item in package["resources"] if item["name"] == "progress-long"]
    assert [field["name"] for field in long["schema"]["fields"]][:5] == [*UNIT_COLUMNS, "year"]


def test_the_catalogue_defines_the_unit_columns_in_both_languages(city, clients):
    entries = {entry["name"]: entry for entry in clients["anonymous"].get("/api/v1/indicators/catalogue/").json()}
    assert entries["unit_structure"]["type"] == "integer" and "2025" in entries["unit_structure"]["definition_en"]
    assert entries["unit_level"]["title"] == "Cấp đơn vị" and entries["unit_name"]["title_en"] == "Unit name"


def test_the_schema_documents_the_unit_columns_as_enums(city, clients):
    schema = clients["anonymous"].get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    components = schema["components"]["schemas"]
    for name in ("Indicator", "Progress"):
        properties = components[name]["properties"]
        assert list(properties)[:5] == [*UNIT_COLUMNS, "year"], name
        assert {"unit_name", "unit_level", "unit_structure"} <= set(components[name]["required"])


@pytest.mark.parametrize("path", [INDICATORS, PROGRESS])
def test_the_unit_columns_cost_no_query(reused_code, clients, path):
    """The rows' units come with them (select_related): as many queries for every row as for one."""
    client = clients["city_leader"]
    counts = []
    for query in ({"unit": "00001"}, {}, {"shape": "long"}, {"format": "csv"}):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path, {"year": 2024, **query}).status_code == 200
        counts.append(len(queries.captured_queries))
    # The same counts as before the unit columns. indicators/: token + user, current run, count, page
    # (3 unpaged); progress/ adds the page's other years, the plans, the targets and a commune's
    # ancestors.
    assert counts == ([4, 4, 3, 3] if path == INDICATORS else [8, 6, 5, 6])
