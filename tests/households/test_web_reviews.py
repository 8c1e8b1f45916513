"""The review form: indicators of the year's standard, the class shown as typed, saved through the
service, approved years read-only, and two officers editing the same review."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from households import services
from households.models import Cause, Movement, PovertyClass, Review, ReviewState, Role, Structure
from tests.builders import review_input
from tests.factories import CommuneFactory, HouseholdFactory, ReviewFactory, UserFactory
from tests.html_checks import assert_described_by_real_ids

pytestmark = pytest.mark.django_db


@pytest.fixture
def household(db):
    return HouseholdFactory(commune=CommuneFactory(), head_name="Phạm Văn Hùng")


@pytest.fixture
def officer(client, household):
    user = UserFactory(role=Role.DISTRICT_OFFICER, unit=household.commune.parent)
    client.force_login(user)
    return user


def review_url(household, year=2023):
    return reverse("households:review", args=[household.pk, year])


def entries(income="1.500.000", deprivations=3, version="", **extra):
    data = {
        "income_per_capita": income,
        "b1_score": "",
        "review_type": "periodic",
        "review_date": "15/11/2023",
        "version": version,
        "causes": ["no_capital", "illness"],
        "needs": ["credit"],
    }
    data.update({f"d{i:02d}": "on" for i in range(1, deprivations + 1)})
    data.update(extra)
    return data


def test_the_form_shows_the_indicators_of_the_standard_in_force_grouped_by_dimension(client, officer, household):
    response = client.get(review_url(household, 2023))
    content = response.content.decode()
    assert response.status_code == 200
    dimensions = [label for label, _ in response.context["form"].dimensions()]
    assert dimensions[:3] == ["Việc làm", "Y tế", "Giáo dục"]
    assert "Người phụ thuộc trong hộ gia đình" in content and "Dinh dưỡng" in content
    assert "Thiếu vốn sản xuất kinh doanh" in content and "Hỗ trợ vay vốn ưu đãi" in content
    # 2016–2020 had Hanoi's 10 indicators; 2023 the national 12.
    assert len(response.context["form"].indicators) == 12
    assert len(client.get(review_url(household, 2019)).context["form"].indicators) == 10


def test_saving_classifies_with_the_same_rules_as_the_importer_and_records_who(client, officer, household):
    response = client.post(review_url(household), entries(income="1.500.000", deprivations=3))
    assert response.status_code == 302
    review = Review.objects.get(household=household, year=2023)
    assert review.income_per_capita == Decimal(1_500_000)
    assert (review.poverty_class, review.movement) == (PovertyClass.POOR, Movement.NEWLY_POOR)
    assert review.deprivation_count == 3 and review.causes == [Cause.ILLNESS, Cause.NO_CAPITAL]
    assert review.state == ReviewState.DRAFT and review.commune == household.commune
    assert review.history.latest().history_user == officer
    # Next year above the line: escaped poverty, derived from the whole history.
    client.post(review_url(household, 2024), entries(income="1.600.000", deprivations=3, review_date="10/11/2024"))
    assert Review.objects.get(household=household, year=2024).movement == Movement.ESCAPED_POVERTY


def test_the_class_is_shown_as_the_officer_types(client, officer, household):
    url = reverse("households:review_classify", args=[household.pk, 2023])
    poor = client.post(url, entries(income="1.500.000", deprivations=3), HTTP_HX_REQUEST="true")
    near = client.post(url, entries(income="1.500.000", deprivations=2), HTTP_HX_REQUEST="true")
    above = client.post(url, entries(income="2.500.000", deprivations=12), HTTP_HX_REQUEST="true")
    b1 = client.post(url, entries(income="", b1_score="120", deprivations=3), HTTP_HX_REQUEST="true")
    assert 'data-class="poor"' in poor.content.decode() and "Hộ nghèo" in poor.content.decode()
    assert 'data-class="near_poor"' in near.content.decode()
    assert 'data-class="above_average"' in above.content.decode()
    assert 'data-class="poor"' in b1.content.decode()
    assert "Cần thu nhập bình quân hoặc điểm B1." in client.post(url, entries(income="")).content.decode()
    assert not Review.objects.exists()


def test_validation_messages_are_vietnamese_next_to_the_field(client, officer, household):
    response = client.post(review_url(household), entries(income="", review_date="31/02/2023"))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["income_per_capita"] == ["Cần thu nhập bình quân hoặc điểm B1."]
    assert "review_date" in errors
    assert_described_by_real_ids(response.content.decode(), "id_income_per_capita", "id_income_per_capita_error")
    assert_described_by_real_ids(response.content.decode(), "id_review_date", "id_review_date_error")
    assert client.post(review_url(household), entries(income="abc")).context["form"].errors["income_per_capita"] == [
        "Nhập một số."
    ]
    assert not Review.objects.exists()


def test_a_year_without_a_standard_is_refused(client, officer, household):
    response = client.get(review_url(household, 2015))
    assert response.status_code == 302


def test_approved_reviews_are_read_only_except_to_administrators(client, officer, household):
    review = ReviewFactory(household=household, state=ReviewState.APPROVED, income_per_capita=1_200_000)
    page = client.get(review_url(household))
    assert page.status_code == 200 and page.context["read_only"]
    assert client.post(review_url(household), entries(version=services.review_version(review))).status_code == 403
    admin = UserFactory(role=Role.ADMINISTRATOR, unit=household.commune.parent.parent, is_superuser=True)
    client.force_login(admin)
    response = client.post(review_url(household), entries(income="1.900.000", version=services.review_version(review)))
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.income_per_capita == 1_900_000 and review.state == ReviewState.APPROVED


def test_city_leaders_cannot_save_reviews(client, household):
    ReviewFactory(household=household)
    client.force_login(UserFactory(role=Role.CITY_LEADER, unit=household.commune.parent.parent))
    assert client.get(review_url(household)).context["read_only"]
    assert client.post(review_url(household), entries()).status_code == 403
    assert client.get(review_url(household, 2024)).status_code == 403


def test_the_second_of_two_officers_editing_the_same_review_is_refused_with_what_changed(household):
    review = ReviewFactory(household=household, income_per_capita=1_200_000, deprivation_flags=0b111)
    first, second = Client(), Client()
    district = household.commune.parent
    first.force_login(UserFactory(username="first", first_name="Lan", last_name="Trần Thị", unit=district))
    second.force_login(UserFactory(username="second", unit=district))
    version_first = first.get(review_url(household)).context["form"]["version"].value()
    version_second = second.get(review_url(household)).context["form"]["version"].value()
    assert version_first == version_second == services.review_version(review)

    saved = first.post(review_url(household), entries(income="1.800.000", deprivations=3, version=version_first))
    assert saved.status_code == 302
    refused = second.post(review_url(household), entries(income="1.000.000", deprivations=5, version=version_second))
    assert refused.status_code == 200
    content = refused.content.decode()
    assert "Trần Thị Lan" in content and "chưa được lưu" in content
    assert "Thu nhập bình quân (đồng/người/tháng): 1.200.000 → 1.800.000" in content
    assert "Phân loại: Hộ nghèo → Hộ có mức sống trung bình" in content
    review.refresh_from_db()
    assert review.income_per_capita == 1_800_000  # the first save is not lost
    # The second officer's entries are still on the form; saving again now is a conscious overwrite.
    assert refused.context["form"]["income_per_capita"].value() == "1.000.000"
    again = second.post(
        review_url(household),
        entries(income="1.000.000", deprivations=5, version=refused.context["form"]["version"].value()),
    )
    assert again.status_code == 302
    review.refresh_from_db()
    assert review.income_per_capita == 1_000_000 and review.deprivation_count == 5


def test_a_review_created_meanwhile_by_someone_else_is_not_overwritten(household):
    officer = UserFactory(unit=household.commune.parent)
    data = review_input(1_000_000)
    services.save_review(user=officer, household=household, year=2023, data=data, version="")
    with pytest.raises(services.ReviewConflict) as caught:
        services.save_review(user=officer, household=household, year=2023, data=data, version="")
    assert any(change.field == "income_per_capita" for change in caught.value.changes)


# The standard follows the review's year and kind (docs/poverty-rules.md): end-2026 periodic reviews are
# Decree 351/2025's baseline; regular reviews during 2026 stay under Decree 07/2021.


@pytest.fixture
def reform_household(db):
    commune = CommuneFactory(structure=Structure.REFORM_2025, valid_from=datetime.date(2025, 7, 1), valid_to=None)
    return HouseholdFactory(commune=commune, head_name="Lê Thị Mai")


@pytest.fixture
def reform_officer(client, reform_household):
    user = UserFactory(role=Role.COMMUNE_OFFICER, unit=reform_household.commune)
    client.force_login(user)
    return user


def test_the_2026_periodic_form_shows_decree_351s_indicators(client, reform_officer, reform_household):
    response = client.get(review_url(reform_household, 2026))
    content = response.content.decode()
    assert response.context["standard"].code == "national-2026-2030"
    assert "Sử dụng dịch vụ số" in content and "Thu gom, xử lý rác thải sinh hoạt" in content
    assert "Phương tiện phục vụ tiếp cận thông tin" not in content
    dimensions = [label for label, _ in response.context["form"].dimensions()]
    assert "Nước sinh hoạt, vệ sinh và môi trường" in dimensions and len(dimensions) == 6


def test_a_regular_review_during_2026_is_entered_and_saved_under_decree_07(client, reform_officer, reform_household):
    asked = client.get(review_url(reform_household, 2026), {"review_type": "regular", "review_date": "15/06/2026"})
    assert asked.context["standard"].code == "national-2022-2025"
    assert "Phương tiện phục vụ tiếp cận thông tin" in asked.content.decode()
    # 1.8M: near-poor on Decree 351's 2.2M rural line, but above Decree 07's 1.5M.
    client.post(
        review_url(reform_household, 2026),
        entries(income="1.800.000", deprivations=3, review_type="regular", review_date="15/06/2026"),
    )
    review = Review.objects.get(household=reform_household, year=2026)
    assert (review.standard.code, review.review_type, review.poverty_class) == (
        "national-2022-2025",
        "regular",
        PovertyClass.AVERAGE,
    )
    client.post(
        review_url(reform_household, 2026),
        entries(
            income="1.800.000",
            deprivations=3,
            review_type="periodic",
            review_date="01/12/2026",
            version=services.review_version(review),
        ),
    )
    review.refresh_from_db()
    assert (review.standard.code, review.poverty_class) == ("national-2026-2030", PovertyClass.POOR)


def test_saving_the_2026_review_after_a_2025_one_reclassifies_rather_than_escapes(
    client, reform_officer, reform_household
):
    client.post(review_url(reform_household, 2025), entries(income="1.400.000", review_date="01/12/2025"))
    assert Review.objects.get(household=reform_household, year=2025).poverty_class == PovertyClass.POOR
    client.post(
        review_url(reform_household, 2026), entries(income="2.000.000", deprivations=2, review_date="01/12/2026")
    )
    movements = dict(Review.objects.filter(household=reform_household).values_list("year", "movement"))
    assert movements == {2025: Movement.NEWLY_POOR, 2026: Movement.RECLASSIFIED}


def test_a_new_reviews_movement_is_right_in_its_first_history_row(db):
    from households import services
    from households.models import PovertyClass, Role
    from tests.factories import ReviewFactory, UserFactory

    earlier = ReviewFactory(year=2022, poverty_class=PovertyClass.POOR)
    household = earlier.household
    officer = UserFactory(username="xa-moi", role=Role.COMMUNE_OFFICER, unit=household.commune)
    data = review_input(9_000_000, deprivations=0)
    review = services.save_review(user=officer, household=household, year=2023, data=data, version="")
    first = review.history.order_by("history_date", "history_id").first()
    assert review.movement == first.movement == "escaped_poverty"


@pytest.mark.parametrize("typed", ["1.500.000", "1,500,000", "1 500 000", "1500000"])
def test_an_income_grouped_with_dots_commas_or_spaces_is_one_and_a_half_million(client, officer, household, typed):
    """The importer's reading (households.importing.rows.read_amount) in the form too: Django's
    Vietnamese reading took "1,500,000" for 1,5 and refused it."""
    url = reverse("households:review_classify", args=[household.pk, 2023])
    preview = client.post(url, entries(income=typed, deprivations=3), HTTP_HX_REQUEST="true")
    assert 'data-class="poor"' in preview.content.decode()
    assert client.post(review_url(household), entries(income=typed, deprivations=3)).status_code == 302
    assert Review.objects.get(household=household, year=2023).income_per_capita == Decimal(1_500_000)


def test_an_income_that_is_not_a_whole_amount_is_refused_next_to_the_field(client, officer, household):
    for typed, message in (("1,5 triệu", "Nhập một số."), ("-200.000", "lớn hơn hoặc bằng với 0")):
        errors = client.post(review_url(household), entries(income=typed)).context["form"].errors
        assert message in errors["income_per_capita"][0], errors
    assert not Review.objects.exists()


@pytest.mark.parametrize(
    ("year", "kind", "day", "accepted"),
    [
        (2023, "periodic", "15/11/2023", True),
        (2023, "periodic", "01/01/2023", True),
        (2023, "periodic", "31/03/2024", True),  # re-visited before the city approves the list
        (2023, "periodic", "01/04/2024", False),
        (2023, "periodic", "31/12/2022", False),
        (2023, "periodic", "15/11/2019", False),
        (2023, "regular", "15/06/2023", True),
        (2023, "regular", "15/01/2024", False),
    ],
)
def test_a_review_date_outside_the_review_s_cycle_is_refused_in_vietnamese(
    client, officer, household, year, kind, day, accepted
):
    response = client.post(review_url(household, year), entries(review_type=kind, review_date=day))
    if accepted:
        assert response.status_code == 302
        assert Review.objects.get(household=household, year=year).review_date.strftime("%d/%m/%Y") == day
        return
    assert response.status_code == 200 and not Review.objects.exists()
    errors = response.context["form"].errors["review_date"]
    if kind == "periodic":
        assert errors == [
            f"Ngày rà soát {day} không thuộc kỳ rà soát định kỳ năm {year} (từ 01/01/{year} đến 31/03/{year + 1})."
        ]
    else:
        assert errors == [
            f"Ngày rà soát {day} không thuộc năm {year}: rà soát thường xuyên năm {year} có ngày từ "
            f"01/01/{year} đến 31/12/{year}."
        ]
    assert_described_by_real_ids(response.content.decode(), "id_review_date", "id_review_date_error")
