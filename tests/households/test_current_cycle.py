"""The review of 2025 and 2026 on today's 126 units, end to end, on Hanoi's real units.

Phường Đội Cấn (00022, Ba Đình district) was split on 1 Jul 2025: Phường Ngọc Hà (00008 from
then on) is its primary successor, Phường Ba Đình (00004) took a part. Phường Liễu Giai (00008
until June 2025) went wholly into Ngọc Hà. Officers are created with `create_user`, as the
acceptance check does.
"""

import csv
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db.models import Count
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from households import services, units, workflow
from households.accounts import issue_api_token
from households.importer import ImportRefused, import_reviews
from households.models import AdministrativeUnit, Household, Review, ReviewState, Structure, Succession, User
from tests.builders import csv_file, review_input, review_row

pytestmark = pytest.mark.django_db
PASSWORD = "x-Secret-2025"
WRITES = ("households_created", "households_updated", "reviews_created", "reviews_updated", "movements_updated")


def unit(code, structure):
    return AdministrativeUnit.objects.get(code=code, structure=structure, level__in=["commune", "district", "city"])


def create_user(username, role, code, *extra) -> User:
    call_command("create_user", username, "--role", role, "--unit", code, "--password", PASSWORD, *extra)
    return User.objects.get(username=username)


def api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {issue_api_token(user)}")
    return client


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def hanoi(admin_units):
    split = unit("00022", Structure.LEGACY)
    primary, other = unit("00008", Structure.REFORM_2025), unit("00004", Structure.REFORM_2025)
    assert Succession.objects.get(predecessor=split, successor=primary).is_primary
    assert not Succession.objects.get(predecessor=split, successor=other).is_primary
    history = []
    for i in range(4):
        history += [review_row(f"DC{i}", "00022", 2023, income=1_000_000), review_row(f"DC{i}", "00022", 2024)]
    history += [review_row("LG0", "00008", 2024, income=1_400_000, deprivations=1)]  # Liễu Giai, into Ngọc Hà
    import_reviews(csv_file(history), filename="history.csv", state=ReviewState.APPROVED)
    return {
        "split": split,
        "primary": primary,
        "other": other,
        "ngoc_ha": create_user("xa.ngocha", "commune_officer", "00008"),
        "ba_dinh": create_user("xa.badinh", "commune_officer", "00004"),
        "city": create_user("so.nnmt", "city_officer", "01"),
        "district": create_user("quan.badinh", "district_officer", "001"),
        "old_commune": create_user("xa.doican", "commune_officer", "00022", "--structure", "2008"),
    }


# --- one rule for a household's commune in a year ---------------------------------------------


def test_a_split_communes_households_go_to_its_primary_successor_for_every_split_commune(admin_units):
    split = AdministrativeUnit.objects.annotate(n=Count("successions_out")).filter(n__gt=1)
    assert split.count() == 199
    for commune in split:
        primary = Succession.objects.get(predecessor=commune, is_primary=True).successor
        for year in (2025, 2026):
            assert units.commune_for_year(Household(commune=commune), year) == primary, commune


def test_a_2025_review_posted_to_the_api_by_the_primary_successors_officer_lands_there(hanoi):
    household = Household.objects.get(code="DC0")
    body = {"household": household.pk, "year": 2025, "income_per_capita": 900_000, "deprivations": [True] * 3}
    response = api(hanoi["ngoc_ha"]).post("/api/v1/reviews/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["commune"] == hanoi["primary"].pk and response.json()["commune_code"] == "00008"
    household.refresh_from_db()
    assert household.commune == hanoi["primary"], "the household follows its latest review's commune"
    assert Review.objects.get(household=household, year=2024).commune == hanoi["split"], "history stays"


def test_the_form_puts_a_split_communes_2025_review_in_the_primary_successor(hanoi):
    household = Household.objects.get(code="DC1")
    data = {"income_per_capita": "900.000", "review_type": "periodic", "version": "", "d01": "on"}
    response = browser(hanoi["ngoc_ha"]).post(reverse("households:review", args=[household.pk, 2025]), data)
    assert response.status_code == 302
    assert Review.objects.get(household=household, year=2025).commune == hanoi["primary"]


def test_a_file_naming_the_other_successor_re_homes_the_household_there(hanoi):
    officer = hanoi["ba_dinh"]
    assert not Household.objects.visible_to(officer).filter(code="DC2").exists()
    result = import_reviews(csv_file([review_row("DC2", "00004", 2025)]), filename="x.csv", user=officer)
    assert result.reviews_created == 1 and result.households_updated == 1
    household = Household.objects.get(code="DC2")
    assert household.commune == hanoi["other"] and household.reviews.get(year=2025).commune == hanoi["other"]
    assert Household.objects.visible_to(officer).filter(code="DC2").exists()
    assert not Household.objects.visible_to(hanoi["ngoc_ha"]).filter(code="DC2").exists()
    # The primary successor's officer may not send it to a commune that is not theirs.
    with pytest.raises(ImportRefused) as refused:
        import_reviews(csv_file([review_row("DC3", "00004", 2025)]), filename="x.csv", user=hanoi["ngoc_ha"])
    assert "Phường Ba Đình không thuộc phạm vi của bạn" in str(refused.value.errors[0])


# --- who works in the two-tier structure --------------------------------------------------------


def test_the_city_officer_is_created_for_the_city_and_refused_anywhere_else(hanoi):
    assert (hanoi["city"].unit.code, hanoi["city"].unit.level) == ("01", "city")
    assert hanoi["city"].is_city_wide and not hanoi["city"].can_write and not hanoi["city"].is_administrator
    with pytest.raises(Exception, match="cần đơn vị thành phố"):
        create_user("so2", "city_officer", "00008")
    # The admin's user page runs the same rule (User.clean).
    with pytest.raises(ValidationError, match="cần đơn vị thành phố"):
        User(username="so3", role="city_officer", unit=hanoi["primary"]).full_clean()
    with pytest.raises(ValidationError, match="cần một xã/phường"):
        User(username="xa3", role="commune_officer", unit=hanoi["city"].unit).full_clean()


def test_the_city_officer_reads_every_household_and_writes_none(hanoi):
    client, city = api(hanoi["city"]), hanoi["city"]
    listed = client.get("/api/v1/households/", {"page_size": 1000}).json()["results"]
    assert len(listed) == Household.objects.count() == 5
    household = Household.objects.get(code="DC0")
    body = {"household": household.pk, "year": 2025, "income_per_capita": 900_000}
    refused = client.post("/api/v1/reviews/", body, format="json")
    assert refused.status_code == 403 and "chỉ được xem" in refused.json()["error"]["message"]
    upload = client.post("/api/v1/imports/", {"file": csv_file([review_row("DC0", "00008", 2025)])})
    assert upload.status_code == 403
    pages = browser(city)
    assert pages.get(reverse("households:detail", args=[household.pk])).status_code == 200
    assert (
        pages.post(reverse("households:review", args=[household.pk, 2025]), {"income_per_capita": 1}).status_code == 403
    )
    assert pages.get(reverse("households:import")).status_code == 403
    with pytest.raises(PermissionDenied, match="chỉ được xem"):
        services.save_review(user=city, household=household, year=2025, data=review_input(900_000), version="")
    assert not Review.objects.filter(year=2025).exists()


def test_the_2025_commune_submits_and_the_city_officer_approves(hanoi, monkeypatch):
    from reports import tasks

    monkeypatch.setattr(tasks.recompute_all, "delay", lambda run_id: None)
    household = Household.objects.get(code="DC0")
    services.save_review(user=hanoi["ngoc_ha"], household=household, year=2025, data=review_input(900_000), version="")
    listed = browser(hanoi["ngoc_ha"]).get(reverse("households:workflow"), {"year": 2025}).content.decode()
    assert "Phường Ngọc Hà" in listed and "Gửi phê duyệt" in listed
    workflow.submit(commune=hanoi["primary"], year=2025, user=hanoi["ngoc_ha"])
    # Districts no longer exist: the district officer may not decide on a 2025 commune.
    assert not hanoi["district"].can_decide(hanoi["primary"])
    with pytest.raises(PermissionDenied):
        workflow.approve(commune=hanoi["primary"], year=2025, user=hanoi["district"])
    page = browser(hanoi["city"]).get(reverse("households:workflow"), {"year": 2025})
    rows = page.context["rows"]
    assert len(rows) == AdministrativeUnit.objects.communes().in_force(2025).count() == 126
    mine = next(r for r in rows if r.commune == hanoi["primary"])
    assert mine.actions == ["approve", "return"]
    response = browser(hanoi["city"]).post(reverse("households:workflow_approve", args=[hanoi["primary"].pk, 2025]))
    assert response.status_code == 302
    assert set(Review.objects.filter(year=2025).values_list("state", flat=True)) == {ReviewState.APPROVED}


def test_the_city_officer_does_not_decide_on_the_years_before_the_reform(hanoi):
    Review.objects.filter(year=2024, commune=hanoi["split"]).update(state=ReviewState.SUBMITTED)
    assert hanoi["district"].can_decide(hanoi["split"]) and not hanoi["city"].can_decide(hanoi["split"])
    with pytest.raises(PermissionDenied, match="cấp huyện"):
        workflow.approve(commune=hanoi["split"], year=2024, user=hanoi["city"])
    workflow.approve(commune=hanoi["split"], year=2024, user=hanoi["district"])


def test_an_officer_of_the_old_structure_cannot_write_2025_or_2026_and_is_told_who_does(hanoi):
    officer, household = hanoi["old_commune"], Household.objects.get(code="DC0")
    for year in (2025, 2026):
        with pytest.raises(PermissionDenied, match="Phường Ngọc Hà"):
            services.save_review(user=officer, household=household, year=year, data=review_input(900_000), version="")
        with pytest.raises(ImportRefused) as refused:
            import_reviews(csv_file([review_row("DC0", "00008", year)]), filename="x.csv", user=officer)
        assert "Phường Ngọc Hà" in str(refused.value.errors[0])
        response = api(officer).post(
            "/api/v1/reviews/", {"household": household.pk, "year": year, "income_per_capita": 1}, format="json"
        )
        assert response.status_code == 403 and "Phường Ngọc Hà" in response.json()["error"]["message"]
    pages = browser(officer)
    detail = pages.get(reverse("households:detail", args=[household.pk]))
    assert detail.context["start_form"]["year"].value() == 2024 and 'max="2024"' in detail.content.decode()
    refused = pages.get(reverse("households:review_start", args=[household.pk]), {"year": 2025}, follow=True)
    assert "Phường Ngọc Hà" in refused.content.decode()
    template = pages.get(reverse("households:template"), {"prefill": 1, "year": 2025}, follow=True)
    assert "Phường Ngọc Hà" in template.content.decode()
    assert not Review.objects.filter(year__gte=2025).exists()


def test_the_district_officer_keeps_reading_the_history_of_households_that_moved_on(hanoi):
    household = Household.objects.get(code="DC0")
    services.save_review(user=hanoi["ngoc_ha"], household=household, year=2025, data=review_input(900_000), version="")
    district = hanoi["district"]
    assert Household.objects.visible_to(district).filter(pk=household.pk).exists()
    assert Review.objects.visible_to(district).filter(household=household).count() == 3
    assert browser(district).get(reverse("households:detail", args=[household.pk])).status_code == 200
    with pytest.raises(PermissionDenied, match="nay thuộc Phường Ngọc Hà"):
        services.update_household(user=district, household=household, head_name="Đổi tên")
    with pytest.raises(PermissionDenied, match="không còn cấp huyện"):
        services.save_review(user=district, household=household, year=2025, data=review_input(900_000), version="")
    # Its own years stay its own: a 2022 review of the household is still written by the district.
    review = services.save_review(user=district, household=household, year=2022, data=review_input(900_000), version="")
    assert review.commune == hanoi["split"]
    household.refresh_from_db()
    assert household.commune == hanoi["primary"], "an earlier year does not move the household back"


# --- the pre-filled template, sent back unchanged, changes nothing -------------------------------


@pytest.fixture
def cycle(hanoi):
    """Households of Ngọc Hà in every state: only a 2024 review in an old commune (DC1, DC2, LG0),
    a 2025 review imported (DC0), a 2026 review entered through the form (DC3), none at all (NEW)."""
    officer = hanoi["ngoc_ha"]
    import_reviews(csv_file([review_row("DC0", "00008", 2025, income=2_000_000)]), filename="x.csv", user=officer)
    services.save_review(
        user=officer, household=Household.objects.get(code="DC3"), year=2026, data=review_input(900_000), version=""
    )
    Household.objects.create(code="NEW", commune=hanoi["primary"], head_name="Trần Thị Mới", head_sex="F")
    return hanoi


def prefilled(officer, year, fmt) -> bytes:
    response = browser(officer).get(reverse("households:template"), {"prefill": 1, "year": year, "format": fmt})
    assert response.status_code == 200
    return response.content


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("year", [2025, 2026])
def test_the_officers_own_prefilled_template_sent_back_unchanged_writes_nothing(cycle, year, fmt):
    officer = cycle["ngoc_ha"]
    content = prefilled(officer, year, fmt)
    before = list(Review.objects.order_by("pk").values()), list(Household.objects.order_by("pk").values())
    upload = io.BytesIO(content)
    upload.name = f"mau-{year}.{fmt}"
    response = api(officer).post("/api/v1/imports/?dry_run=1", {"file": upload})
    assert response.status_code == 200, response.content
    summary = response.json()
    assert {key: summary[key] for key in WRITES} == dict.fromkeys(WRITES, 0), summary
    # Every household but the one reviewed in the year (DC0 in 2025, DC3 in 2026) and NEW, never reviewed.
    assert summary["rows"] == 6 and summary["rows_carried_unchanged"] == 4 and summary["rows_unreviewed"] == 1
    assert summary["reviews_unchanged"] == 1
    from_2024 = 4 if year == 2025 else 3
    assert f"{from_2024} hộ chưa rà soát năm {year}: số liệu chép từ năm 2024 chưa sửa, không ghi." in summary["notes"]
    # Confirmed for real, it still writes nothing.
    job = response.json()["job"]
    confirmed = api(officer).post(f"/api/v1/imports/{job}/confirm/")
    assert confirmed.status_code == 201 and not any(confirmed.json()[key] for key in WRITES)
    assert (list(Review.objects.order_by("pk").values()), list(Household.objects.order_by("pk").values())) == before


def test_the_prefilled_template_re_homes_old_communes_to_todays_unit_and_names_the_source_year(cycle):
    rows = list(csv.DictReader(io.StringIO(prefilled(cycle["ngoc_ha"], 2026, "csv").decode("utf-8-sig"))))
    by_code = {r["Mã hộ"]: r for r in rows}
    assert set(by_code) == {"DC0", "DC1", "DC2", "DC3", "LG0", "NEW"}
    assert {r["Mã xã/phường"] for r in rows} == {"00008"} and {r["Năm rà soát"] for r in rows} == {"2026"}
    assert [by_code[c]["Số liệu của năm"] for c in ("DC0", "DC1", "DC3", "NEW")] == ["2025", "2024", "2026", ""]
    assert by_code["DC0"]["Thu nhập bình quân (đồng/người/tháng)"] == "2000000"


def test_an_edited_row_of_the_prefilled_template_becomes_this_years_review(cycle):
    officer = cycle["ngoc_ha"]
    workbook = load_workbook(io.BytesIO(prefilled(officer, 2026, "xlsx")))
    sheet = workbook.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    for cells in sheet.iter_rows(min_row=2):
        if cells[0].value == "DC1":
            cells[header.index("Thu nhập bình quân (đồng/người/tháng)")].value = 5_000_000
        if cells[0].value == "LG0":
            cells[header.index("Số liệu của năm")].value = None  # confirmed as this year's, unchanged
    stream = io.BytesIO()
    workbook.save(stream)
    stream.seek(0)
    result = import_reviews(stream, filename="x.xlsx", user=officer)
    assert result.reviews_created == 2 and result.rows_carried_unchanged == 2
    assert set(Review.objects.filter(year=2026).values_list("household__code", flat=True)) == {"DC1", "DC3", "LG0"}
    assert Household.objects.get(code="DC1").commune == cycle["primary"]


def test_a_prefilled_2024_file_carries_the_2024_values_not_2023s(hanoi):
    district = hanoi["district"]
    Review.objects.update(state=ReviewState.DRAFT)  # open, so that a change would be written
    rows = list(csv.DictReader(io.StringIO(prefilled(district, 2024, "csv").decode("utf-8-sig"))))
    dc0 = next(r for r in rows if r["Mã hộ"] == "DC0")
    assert (dc0["Thu nhập bình quân (đồng/người/tháng)"], dc0["Số liệu của năm"]) == ("1200000", "2024")
    before = list(Review.objects.order_by("pk").values())
    result = import_reviews(io.BytesIO(prefilled(district, 2024, "csv")), filename="x.csv", user=district)
    assert not result.changed and result.reviews_unchanged == 5
    assert list(Review.objects.order_by("pk").values()) == before


def test_the_upload_page_offers_each_officer_the_template_of_a_year_they_write(hanoi):
    this_year = timezone.localdate().year
    old = browser(hanoi["old_commune"]).get(reverse("households:import"))
    assert old.context["next_year"] == 2024
    assert browser(hanoi["ngoc_ha"]).get(reverse("households:import")).context["next_year"] == this_year


def test_the_upload_preview_says_which_households_were_not_reviewed_yet(cycle):
    from django.core.files.uploadedfile import SimpleUploadedFile

    officer = cycle["ngoc_ha"]
    client = browser(officer)
    upload = SimpleUploadedFile("mau-2026.csv", prefilled(officer, 2026, "csv"))
    response = client.post(reverse("households:import"), {"file": upload}, follow=True)
    page = response.content.decode()
    assert "3 hộ chưa rà soát năm 2026: số liệu chép từ năm 2024 chưa sửa, không ghi." in page
    assert "1 hộ chưa rà soát năm 2026: số liệu chép từ năm 2025 chưa sửa, không ghi." in page
    assert 'id="rows-carried">4<' in page
