"""units/<code>/: a unit is addressed by its GSO code, the key the `unit` and `parent` filters use,
not by an internal id; a code the 2025 reform reused means the unit in force today unless
`structure` picks the other."""

from __future__ import annotations

import datetime

import pytest
from rest_framework.test import APIClient

from households.models import AdministrativeUnit, Area, Structure, UnitKind, UnitLevel
from tests.api.checks import assert_error

pytestmark = pytest.mark.django_db
REFORM_START = datetime.date(2025, 7, 1)


@pytest.fixture
def ba_dinh_2025(units):
    """Phường Ba Đình of the 2025 structure carries 00004, Phường Trúc Bạch's code until June 2025."""
    return AdministrativeUnit.objects.create(
        code="00004",
        name="Phường Ba Đình",
        level=UnitLevel.COMMUNE,
        kind=UnitKind.WARD,
        area=Area.URBAN,
        parent=units["01"],
        structure=Structure.REFORM_2025,
        valid_from=REFORM_START,
    )


def unit(client, code, **params):
    response = client.get(f"/api/v1/units/{code}/", params)
    assert response.status_code == 200, response.content
    return response.json()


def test_a_unit_is_read_by_the_code_the_filters_use(units, clients):
    client = clients["city_leader"]
    ba_vi = unit(client, "271")
    assert (ba_vi["code"], ba_vi["name"], ba_vi["id"]) == ("271", "Huyện Ba Vì", units["271"].pk)
    listed = client.get("/api/v1/units/", {"parent": "271"}).json()["results"]
    assert {item["parent"] for item in listed} == {"271"}  # the key of the filter is the key of the detail
    for item in listed:
        assert unit(client, item["code"])["name"] == item["name"]


def test_a_reused_code_means_the_unit_in_force_today_unless_a_structure_is_asked(units, ba_dinh_2025, clients):
    client = clients["city_leader"]
    assert (unit(client, "00004")["name"], unit(client, "00004")["structure"]) == ("Phường Ba Đình", 2025)
    assert unit(client, "00004", structure=2025)["name"] == "Phường Ba Đình"
    old = unit(client, "00004", structure=2008)
    assert (old["name"], old["structure"], old["valid_to"]) == ("Phường Trúc Bạch", 2008, "2025-06-30")


def test_the_city_serves_both_structures(units, clients):
    for structure in (None, 2008, 2025):
        params = {} if structure is None else {"structure": structure}
        assert unit(clients["city_leader"], "01", **params)["name"] == "Thành phố Hà Nội"


def test_a_code_in_force_only_before_the_reform_is_still_found(units, ba_dinh_2025, clients):
    assert unit(clients["city_leader"], "00001")["name"] == "Phường Phúc Xá"  # no 2025 unit took 00001 here


def test_an_unknown_code_is_a_404_naming_it(units, clients):
    error = assert_error(clients["city_leader"].get("/api/v1/units/99999/"), 404, "not_found")
    assert "99999" in error["message"]
    error = assert_error(clients["city_leader"].get("/api/v1/units/271/", {"structure": 2025}), 404, "not_found")
    assert "271" in error["message"] and "2025" in error["message"]


@pytest.mark.parametrize("code", ["abc", "1", "123456", "1.5e-3"])
def test_what_is_not_a_gso_code_is_a_404_saying_so(units, clients, code):
    error = assert_error(clients["city_leader"].get(f"/api/v1/units/{code}/"), 404, "not_found")
    assert "GSO" in error["message"]


def test_a_bad_structure_is_a_400_naming_it(units, clients):
    error = assert_error(clients["city_leader"].get("/api/v1/units/00004/", {"structure": 1999}), 400, "invalid")
    assert error["details"][0]["field"] == "structure"


def test_a_code_naming_two_units_none_in_force_today_is_a_400_naming_both(units, clients):
    AdministrativeUnit.objects.create(
        code="00004",
        name="Phường Thử Nghiệm",
        level=UnitLevel.COMMUNE,
        kind=UnitKind.WARD,
        parent=units["01"],
        structure=Structure.REFORM_2025,
        valid_from=REFORM_START,
        valid_to=datetime.date(2025, 12, 31),  # dissolved: neither unit of 00004 is in force today
    )
    error = assert_error(clients["city_leader"].get("/api/v1/units/00004/"), 400, "invalid")
    (detail,) = error["details"]
    assert detail["field"] == "structure" and detail["code"] == "ambiguous"
    assert "Phường Trúc Bạch (2008)" in detail["message"] and "Phường Thử Nghiệm (2025)" in detail["message"]
    assert unit(clients["city_leader"], "00004", structure=2008)["name"] == "Phường Trúc Bạch"


def test_the_internal_id_is_no_longer_an_address(units, clients):
    phuc_xa = units["00001"]
    assert str(phuc_xa.pk) != "00001"
    assert_error(clients["city_leader"].get(f"/api/v1/units/{phuc_xa.pk}/"), 404, "not_found")


def test_a_unit_answers_304_to_its_etag_and_needs_a_token(units, clients):
    client = clients["city_leader"]
    first = client.get("/api/v1/units/271/")
    assert client.get("/api/v1/units/271/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert_error(APIClient().get("/api/v1/units/271/"), 401, "not_authenticated")


def test_the_schema_addresses_a_unit_by_its_code(units):
    schema = APIClient().get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert "/api/v1/units/{id}/" not in schema["paths"]
    operation = schema["paths"]["/api/v1/units/{code}/"]["get"]
    parameters = {parameter["name"]: parameter for parameter in operation["parameters"]}
    assert parameters["code"]["in"] == "path" and parameters["code"]["schema"]["pattern"] == r"^\d{2,5}$"
    assert parameters["structure"]["in"] == "query" and parameters["structure"]["schema"]["enum"] == [2008, 2025]
    assert {"200", "400", "404"} <= set(operation["responses"])


def test_the_404_speaks_english_when_asked(units, clients):
    client = clients["city_leader"]
    error = assert_error(client.get("/api/v1/units/99999/", HTTP_ACCEPT_LANGUAGE="en"), 404, "not_found")
    assert error["message"] == "No administrative unit has the code “99999”."
    error = assert_error(client.get("/api/v1/units/99999/"), 404, "not_found")
    assert error["message"] == "Không có đơn vị hành chính mã «99999»."
