"""households/, reviews/ and imports/: the officers' visibility rule, writes through the services,
ETag / If-Match on reviews, and the importer's row-numbered answer."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from households.models import (
    AdministrativeUnit,
    Area,
    Household,
    Review,
    Structure,
    Succession,
    UnitKind,
    UnitLevel,
)
from tests.api.checks import assert_error
from tests.builders import csv_file, review_row
from tests.factories import HouseholdFactory

pytestmark = pytest.mark.django_db

SEEN = {
    "commune_officer": {"00001"},
    "district_officer": {"00001"},
    "other_district_officer": {"09625"},
    "city_leader": {"00001", "09625"},
    "city_officer": {"00001", "09625"},
    "administrator": {"00001", "09625"},
}


def results(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


@pytest.mark.parametrize("role", list(SEEN))
def test_each_role_lists_exactly_the_households_of_its_units(city, clients, role):
    found = results(clients[role].get("/api/v1/households/", {"page_size": 1000}))
    assert {row["commune_code"] for row in found} == SEEN[role]


@pytest.mark.parametrize("role", list(SEEN))
def test_each_role_lists_exactly_the_reviews_of_its_units(city, clients, role):
    found = results(clients[role].get("/api/v1/reviews/"))
    assert {row["commune_code"] for row in found} == SEEN[role]


def test_an_officer_never_reads_another_districts_household_or_review(city, clients):
    household = Household.objects.get(code="BV000")
    review = Review.objects.filter(household=household).first()
    client = clients["district_officer"]
    assert_error(client.get(f"/api/v1/households/{household.pk}/"), 404, "not_found")
    assert_error(client.get(f"/api/v1/reviews/{review.pk}/"), 404, "not_found")


def test_anonymous_reads_nothing_personal(city, clients):
    assert_error(clients["anonymous"].get("/api/v1/households/"), 401)
    assert_error(clients["anonymous"].get("/api/v1/reviews/"), 401)


def test_a_household_detail_carries_its_members(city, clients):
    household = Household.objects.get(code="BD001")
    response = clients["commune_officer"].get(f"/api/v1/households/{household.pk}/")
    assert response.status_code == 200 and response.json()["members"] == []


def test_households_filter_with_the_pages_filterset(city, clients):
    found = results(clients["city_leader"].get("/api/v1/households/", {"q": "BD00", "commune_code": "00001"}))
    assert found and all(row["code"].startswith("BD00") for row in found)
    poor = results(clients["city_leader"].get("/api/v1/households/", {"year": 2024, "poverty_class": "poor"}))
    assert len(poor) == 10  # 8 in Phúc Xá, 2 in Phú Cường


def test_a_page_of_households_takes_a_fixed_number_of_queries(city, clients):
    client = clients["district_officer"]
    with CaptureQueriesContext(connection) as small:
        client.get("/api/v1/households/")
    from households.importer import import_reviews

    import_reviews(csv_file([review_row(f"BX{i:03d}", "00004", 2024, 900_000) for i in range(150)]), filename="x.csv")
    with CaptureQueriesContext(connection) as large:
        response = client.get("/api/v1/households/")
    assert len(response.json()["results"]) == 100 and response.json()["next"]
    assert len(small.captured_queries) == len(large.captured_queries) <= 4  # token + user, page


def test_the_registry_pages_by_cursor_without_skipping_or_repeating_a_household(city, clients):
    client = clients["city_leader"]
    seen, url = [], "/api/v1/households/?page_size=4"
    while url:
        body = client.get(url).json()
        seen += [row["code"] for row in body["results"]]
        url = body["next"]
    assert seen == sorted(Household.objects.values_list("code", flat=True))
    reviews, url = [], "/api/v1/reviews/?page_size=7&year=2024"
    while url:
        body = client.get(url).json()
        reviews += [row["id"] for row in body["results"]]
        url = body["next"]
    assert reviews == sorted(Review.objects.filter(year=2024).values_list("pk", flat=True))


@pytest.mark.parametrize("cursor", ["not-a-cursor", "cD0AJnI9MQ==", "%00"])  # the second: p=<NUL>&r=1
def test_a_bad_or_forged_cursor_is_a_400_in_the_error_shape(city, clients, cursor):
    assert_error(clients["city_leader"].get("/api/v1/households/", {"cursor": cursor}), 400)


# --- writes ---------------------------------------------------------------------------------


def _review(code="BD001", year=2024):
    return Review.objects.get(household__code=code, year=year)


def _draft(code="BD001", year=2024):
    review = _review(code, year)
    Review.objects.filter(pk=review.pk).update(state="draft")
    return Review.objects.get(pk=review.pk)


def test_an_officer_updates_a_review_with_the_etag_and_it_is_reclassified_and_recorded(city, clients):
    review = _draft()
    client = clients["commune_officer"]
    read = client.get(f"/api/v1/reviews/{review.pk}/")
    assert read["ETag"]
    response = client.patch(
        f"/api/v1/reviews/{review.pk}/", {"income_per_capita": 9_000_000}, format="json", HTTP_IF_MATCH=read["ETag"]
    )
    assert response.status_code == 200, response.content
    assert response.json()["poverty_class"] != "poor" and response["ETag"] != read["ETag"]
    latest = review.history.order_by("-history_date").first()
    assert latest.history_user.username == "phucxa"


def test_a_write_without_if_match_is_428_and_with_a_stale_one_412(city, clients):
    review = _draft()
    client = clients["district_officer"]
    etag = client.get(f"/api/v1/reviews/{review.pk}/")["ETag"]
    assert_error(client.patch(f"/api/v1/reviews/{review.pk}/", {"b1_score": 10}, format="json"), 428)
    client.patch(f"/api/v1/reviews/{review.pk}/", {"income_per_capita": 1_100_000}, format="json", HTTP_IF_MATCH=etag)
    stale = client.patch(f"/api/v1/reviews/{review.pk}/", {"income_per_capita": 1}, format="json", HTTP_IF_MATCH=etag)
    assert_error(stale, 412, "precondition_failed")


@pytest.mark.parametrize("role", ["city_leader", "city_officer"])
def test_a_city_leader_or_the_city_officer_reads_but_never_writes(city, clients, role):
    review = _draft()
    client = clients[role]
    etag = client.get(f"/api/v1/reviews/{review.pk}/")["ETag"]
    response = client.patch(f"/api/v1/reviews/{review.pk}/", {"b1_score": 1}, format="json", HTTP_IF_MATCH=etag)
    assert_error(response, 403, "permission_denied")
    upload = client.post("/api/v1/imports/", {"file": csv_file([review_row("N1", "00001", 2024, 1)])})
    assert_error(upload, 403, "permission_denied")


def test_an_officer_never_writes_another_districts_review(city, clients):
    review = _draft("BV000")
    response = clients["district_officer"].patch(
        f"/api/v1/reviews/{review.pk}/", {"b1_score": 1}, format="json", HTTP_IF_MATCH="*"
    )
    assert_error(response, 404)


def test_an_approved_review_is_refused_with_the_services_message(city, clients):
    review = _review()
    client = clients["commune_officer"]
    etag = client.get(f"/api/v1/reviews/{review.pk}/")["ETag"]
    response = client.patch(f"/api/v1/reviews/{review.pk}/", {"b1_score": 1}, format="json", HTTP_IF_MATCH=etag)
    error = assert_error(response, 403)
    assert "phê duyệt" in error["message"]


def test_bad_review_input_is_a_400_per_field(city, clients):
    review = _draft()
    client = clients["commune_officer"]
    etag = client.get(f"/api/v1/reviews/{review.pk}/")["ETag"]
    response = client.patch(
        f"/api/v1/reviews/{review.pk}/",
        {"income_per_capita": "many", "causes": ["luck"]},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    error = assert_error(response, 400, "invalid")
    assert {detail["field"] for detail in error["details"]} == {"income_per_capita", "causes[0]"}


def test_an_officer_creates_a_review_for_a_visible_household(city, clients):
    household = Household.objects.get(code="BD001")
    body = {"household": household.pk, "year": 2022, "income_per_capita": 900_000, "deprivations": [True] * 3}
    response = clients["commune_officer"].post("/api/v1/reviews/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["poverty_class"] == "poor" and response["ETag"]
    foreign = Household.objects.get(code="BV001")
    refused = clients["commune_officer"].post("/api/v1/reviews/", {**body, "household": foreign.pk}, format="json")
    assert_error(refused, 400)


def test_a_review_dated_outside_its_cycle_is_a_400_on_review_date(city, clients):
    household = Household.objects.get(code="BD001")
    body = {"household": household.pk, "year": 2022, "income_per_capita": 900_000, "review_date": "2021-11-15"}
    response = clients["commune_officer"].post("/api/v1/reviews/", body, format="json")
    error = assert_error(response, 400, "invalid")
    assert [detail["field"] for detail in error["details"]] == ["review_date"]
    assert "không thuộc kỳ rà soát định kỳ năm 2022" in error["details"][0]["message"]
    assert not Review.objects.filter(household=household, year=2022).exists()


# --- imports --------------------------------------------------------------------------------


@pytest.fixture
def open_year(city):
    """Phúc Xá's 2024 review sent back to draft, so that its officer may add to it again."""
    Review.objects.filter(commune__code="00001", year=2024).update(state="draft")
    return city


def test_an_import_answers_the_summary_and_writes(open_year, clients):
    upload = csv_file(
        [review_row("HN-00001-90001", "00001", 2024, 900_000), review_row("HN-00004-90002", "00004", 2024, 9_000_000)]
    )
    response = clients["district_officer"].post("/api/v1/imports/", {"file": upload})
    assert response.status_code == 201, response.content
    assert response.json()["households_created"] == 2 and Household.objects.filter(code="HN-00001-90001").exists()


def test_a_dry_run_previews_and_writes_nothing(open_year, clients):
    upload = csv_file([review_row("HN-00001-90001", "00001", 2024, 900_000)])
    response = clients["commune_officer"].post("/api/v1/imports/?dry_run=1", {"file": upload})
    assert response.status_code == 200 and response.json()["dry_run"] is True
    assert response.json()["households_created"] == 1 and not Household.objects.filter(code="HN-00001-90001").exists()


def test_a_bad_file_is_refused_whole_with_row_numbered_vietnamese_errors(city, clients):
    rows = [
        review_row("HN-00001-90001", "00001", 2024, "nhiều"),
        review_row("HN-00001-90002", "00001", 2024, 900_000, deprivations=0),
    ]
    rows[1]["d01"] = 7
    error = assert_error(
        clients["commune_officer"].post("/api/v1/imports/", {"file": csv_file(rows)}), 400, "import_refused"
    )
    assert {detail["row"] for detail in error["details"]} == {2, 3}
    assert all(detail["message"].startswith("Dòng") for detail in error["details"])
    assert not Household.objects.filter(code__startswith="HN-00001-9000").exists()


def test_a_dry_run_cannot_tell_whether_another_communes_household_exists(open_year, clients):
    """Household codes are unique in the city; a code outside the officer's households gets one
    answer whether or not it exists (households.codes), so a dry run enumerates nothing."""
    HouseholdFactory(code="HN-00004-00001", commune=open_year["units"]["00004"])
    pairs = [("HN-00004-00001", "HN-00004-00002"), ("BV000", "BV999")]  # minted, and loaded by a file
    for existing, missing in pairs:
        answers = []
        for code in (existing, missing):
            upload = csv_file([review_row(code, "00001", 2024, 900_000)])
            response = clients["commune_officer"].post("/api/v1/imports/?dry_run=1", {"file": upload})
            error = assert_error(response, 400, "import_refused")
            answers.append([detail["message"].replace(code, "…") for detail in error["details"]])
        assert answers[0] == answers[1] and "không thuộc phạm vi của bạn" in answers[0][0], answers
    assert not Household.objects.filter(code__in=["HN-00004-00002", "BV999"]).exists()


def test_an_officer_cannot_import_into_another_district(city, clients):
    upload = csv_file([review_row("HN-09625-90001", "09625", 2024, 900_000)])
    error = assert_error(clients["district_officer"].post("/api/v1/imports/", {"file": upload}), 400, "import_refused")
    assert error["details"][0]["row"] == 2


def test_an_import_without_a_file_is_a_400(city, clients):
    assert_error(clients["commune_officer"].post("/api/v1/imports/", {}), 400, "invalid")


def test_an_import_goes_through_the_upload_service_and_its_job_can_be_read_back(open_year, clients):
    response = clients["commune_officer"].post(
        "/api/v1/imports/?dry_run=1", {"file": csv_file([review_row("HN-00001-90001", "00001", 2024, 900_000)])}
    )
    job = response.json()["job"]
    read = clients["commune_officer"].get(f"/api/v1/imports/{job}/").json()
    assert (read["stage"], read["status"], read["summary"]["households_created"]) == ("preview", "succeeded", 1)
    assert clients["district_officer"].get(f"/api/v1/imports/{job}/").status_code == 404  # not their upload

    confirmed = clients["commune_officer"].post(f"/api/v1/imports/{job}/confirm/")
    assert confirmed.status_code == 201 and confirmed.json()["reviews_created"] == 1
    assert Household.objects.filter(code="HN-00001-90001").exists()
    assert_error(clients["commune_officer"].post(f"/api/v1/imports/{job}/confirm/"), 400, "invalid")


def test_a_large_import_answers_202_with_a_job_to_poll(
    open_year, clients, settings, django_capture_on_commit_callbacks, monkeypatch
):
    from households import tasks

    settings.IMPORT_BACKGROUND_ROWS = 2
    queued = []
    monkeypatch.setattr(tasks.run_import_job, "delay", lambda job_id: queued.append(job_id))
    rows = [review_row(f"HN-00001-9{i:04d}", "00001", 2024, 900_000) for i in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        response = clients["commune_officer"].post("/api/v1/imports/", {"file": csv_file(rows)})
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] == "queued" and body["rows_total"] == 3 and response["Location"] == body["url"]
    assert queued == [body["id"]] and not Household.objects.filter(code="HN-00001-90000").exists()

    tasks.run_import_job(body["id"])  # what the worker runs
    done = clients["commune_officer"].get(response["Location"]).json()
    assert (done["status"], done["percent"], done["summary"]["reviews_created"]) == ("succeeded", 100, 3)


def test_an_import_into_an_approved_year_is_refused_as_on_the_upload_page(city, clients):
    Review.objects.filter(commune__code="00001", year=2024).update(state="approved")
    upload = csv_file([review_row("HN-00001-90001", "00001", 2024, 900_000)])
    error = assert_error(clients["commune_officer"].post("/api/v1/imports/", {"file": upload}), 400, "import_refused")
    assert "đã được phê duyệt" in error["details"][0]["message"]
    assert not Household.objects.filter(code="HN-00001-90001").exists()


def test_a_wrong_file_type_is_a_clear_400(city, clients):
    upload = csv_file([review_row("HN-00001-90001", "00001", 2024, 900_000)])
    upload.name = "phieu.pdf"
    error = assert_error(clients["commune_officer"].post("/api/v1/imports/", {"file": upload}), 400, "invalid")
    assert ".xlsx" in error["message"]


@pytest.mark.parametrize("query", [{"household": "-2.4e+124"}, {"household": "1.5"}, {"year": "1e200"}])
def test_a_number_filter_out_of_range_is_a_400_not_a_500(city, clients, query):
    assert_error(clients["district_officer"].get("/api/v1/reviews/", query), 400)


def test_a_review_posted_for_2026_takes_the_standard_its_kind_and_date_name(city, clients):
    """Decree 07/2021 for a regular review during 2026, Decree 351/2025 for the end-2026 periodic one."""
    units = city["units"]
    successor = AdministrativeUnit.objects.create(
        code="09619",
        name="Xã Quảng Oai",
        level=UnitLevel.COMMUNE,
        kind=UnitKind.COMMUNE,
        area=Area.RURAL,
        parent=units["01"],
        structure=Structure.REFORM_2025,
        valid_from=datetime.date(2025, 7, 1),
    )
    Succession.objects.create(predecessor=units["09625"], successor=successor, is_primary=True)
    client = clients["administrator"]
    households = {h.code: h.pk for h in Household.objects.filter(code__in=["BV000", "BV002"])}
    regular = client.post(
        "/api/v1/reviews/",
        {
            "household": households["BV000"],
            "year": 2026,
            "income_per_capita": 1_800_000,
            "deprivations": [True] * 3,
            "review_type": "regular",
            "review_date": "2026-06-15",
        },
        format="json",
    )
    assert regular.status_code == 201, regular.content
    assert (regular.json()["standard"], regular.json()["poverty_class"]) == ("national-2022-2025", "average")
    periodic = client.post(
        "/api/v1/reviews/",
        {"household": households["BV002"], "year": 2026, "income_per_capita": 1_800_000, "deprivations": [True] * 3},
        format="json",
    )
    assert periodic.status_code == 201, periodic.content
    body = periodic.json()
    # Above the line in 2024 under Decree 07, poor at the end of 2026 under Decree 351: reclassified.
    assert (body["standard"], body["poverty_class"], body["movement"]) == ("national-2026-2030", "poor", "reclassified")
