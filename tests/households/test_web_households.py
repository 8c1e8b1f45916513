"""The household list, the household page, members and the history, as an officer uses them."""

import datetime

import pytest
from django.urls import reverse

from households.filters import fold, vietnamese_sort_key
from households.models import Household, Member, Movement, PovertyClass, Role
from tests.builders import review_input
from tests.factories import CommuneFactory, HouseholdFactory, MemberFactory, ReviewFactory, UserFactory
from tests.html_checks import assert_described_by_real_ids

pytestmark = pytest.mark.django_db


@pytest.fixture
def commune(db):
    return CommuneFactory(name="Xã Phú Cường")


@pytest.fixture
def officer(client, commune):
    user = UserFactory(role=Role.DISTRICT_OFFICER, unit=commune.parent)
    client.force_login(user)
    return user


def listed(client, **params) -> list[str]:
    response = client.get(reverse("households:list"), params)
    assert response.status_code == 200
    return [h.code for h in response.context["households"]]


def test_search_ignores_accents_and_case(client, officer, commune):
    HouseholdFactory(code="A1", commune=commune, head_name="Nguyễn Văn Đức")
    HouseholdFactory(code="A2", commune=commune, head_name="Trần Thị Hoa")
    assert listed(client, q="nguyen van duc") == ["A1"]
    assert listed(client, q="ĐỨC") == ["A1"]
    assert listed(client, q="hoa") == ["A2"]
    assert listed(client, q="a2") == ["A2"]


def test_names_sort_in_the_vietnamese_alphabet(client, officer, commune):
    for code, name in [("1", "Đỗ An"), ("2", "Dương Bình"), ("3", "Ân Cường"), ("4", "Ăn Dũng"), ("5", "An Bình")]:
        HouseholdFactory(code=code, commune=commune, head_name=name)
    assert listed(client) == ["5", "4", "3", "2", "1"]
    assert listed(client, sort="code") == ["1", "2", "3", "4", "5"]


def test_fold_and_sort_key_are_pure():
    assert fold("Nguyễn Thị Ánh ĐÀO") == "nguyen thi anh dao"
    assert fold("Nguye\u0302\u0303n") == "nguyen"  # decomposed input
    assert vietnamese_sort_key("Ơn") > vietnamese_sort_key("Ông") > vietnamese_sort_key("Oanh")


def test_filters_by_commune_village_flags_and_one_years_class_and_movement(client, officer, commune):
    other_commune = CommuneFactory(parent=commune.parent)
    poor = HouseholdFactory(code="P", commune=commune, village="Thôn Đông", meritorious=True)
    ReviewFactory(household=poor, year=2022, poverty_class=PovertyClass.NEAR_POOR)
    ReviewFactory(household=poor, year=2023, poverty_class=PovertyClass.POOR, movement=Movement.NEWLY_POOR)
    near = HouseholdFactory(code="N", commune=other_commune)
    ReviewFactory(household=near, year=2023, poverty_class=PovertyClass.NEAR_POOR)
    assert listed(client, commune=commune.pk) == ["P"]
    assert listed(client, village="dong") == ["P"]
    assert listed(client, flags="meritorious") == ["P"]
    assert listed(client, year=2023, poverty_class="poor") == ["P"]
    # Poor in 2023 is not "near-poor in 2023" though it was near-poor in 2022.
    assert listed(client, year=2023, poverty_class="near_poor") == ["N"]
    assert listed(client, year=2023, movement="newly_poor") == ["P"]
    response = client.get(reverse("households:list"), {"year": 2022})
    assert [(h.code, h.shown_review.poverty_class) for h in response.context["households"]] == [("P", "near_poor")]


def test_the_list_is_paginated_by_fifty(client, officer, commune):
    HouseholdFactory.create_batch(51, commune=commune)
    assert len(listed(client)) == 50
    assert len(listed(client, page=2)) == 1


def test_the_list_page_costs_the_same_queries_for_1_or_60_households(
    client, officer, commune, django_assert_num_queries
):
    household = HouseholdFactory(commune=commune)
    ReviewFactory(household=household)
    with django_assert_num_queries(LIST_QUERIES):
        client.get(reverse("households:list"), {"year": 2023})
    for household in HouseholdFactory.create_batch(59, commune=commune):
        ReviewFactory(household=household)
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(reverse("households:list"), {"year": 2023, "q": "nguyen"})
    assert len(response.context["households"]) == 50


# session, user with their unit, commune choices, count, page, reviews of the page, returned years
LIST_QUERIES = 7
# session, user with their unit, household, members, reviews, standards + indicators (2)
DETAIL_QUERIES = 7


def test_the_household_page_costs_the_same_queries_whatever_its_size(
    client, officer, commune, django_assert_num_queries
):
    household = HouseholdFactory(commune=commune)
    ReviewFactory(household=household, year=2022)
    MemberFactory(household=household)
    with django_assert_num_queries(DETAIL_QUERIES):
        client.get(reverse("households:detail", args=[household.pk]))
    for year in (2020, 2023, 2024):
        ReviewFactory(household=household, year=year)
    MemberFactory.create_batch(5, household=household)
    with django_assert_num_queries(DETAIL_QUERIES):
        response = client.get(reverse("households:detail", args=[household.pk]))
    content = response.content.decode()
    assert "Việc làm" in content  # deprivations by name
    assert "001180012345" in content  # officers of the unit see ID numbers


def test_an_officer_adds_a_household_and_its_members(client, officer, commune):
    response = client.post(
        reverse("households:create"),
        {
            "code": "",  # left blank: the portal gives the commune's next code
            "commune": commune.pk,
            "village": "Thôn 2",
            "head_name": "Lê Văn Bình",
            "head_sex": "M",
            "members_count": 3,
        },
    )
    household = Household.objects.get(code=f"HN-{commune.code}-00001")
    assert response.status_code == 302 and response.url == reverse("households:detail", args=[household.pk])
    response = client.post(
        reverse("households:member_add", args=[household.pk]),
        {"full_name": "Lê Thị Cúc", "relation": "Con", "sex": "F", "birth_year": 2010, "health_insurance": "on"},
    )
    assert response.status_code == 302
    member = household.members.get()
    client.post(
        reverse("households:member_edit", args=[household.pk, member.pk]),
        {"full_name": "Lê Thị Cúc", "relation": "Con gái", "sex": "F", "birth_year": 2010},
    )
    member.refresh_from_db()
    assert member.relation == "Con gái" and not member.health_insurance
    assert client.get(reverse("households:member_delete", args=[household.pk, member.pk])).status_code == 200
    client.post(reverse("households:member_delete", args=[household.pk, member.pk]))
    assert not Member.objects.exists()

    history = client.get(reverse("households:history", args=[household.pk])).content.decode()
    assert "Quan hệ với chủ hộ: Con → Con gái" in history
    assert "Xoá" in history and "Nguyễn Văn An" in history  # who: the officer's full name


def test_validation_messages_are_vietnamese_and_next_to_the_field(client, officer, commune):
    response = client.post(reverse("households:create"), {"code": "", "commune": commune.pk, "members_count": 0})
    content = response.content.decode()
    assert response.status_code == 200
    assert_described_by_real_ids(content, "id_head_name", "id_head_name_error")
    assert "Trường này là bắt buộc." in content
    assert "Đảm bảo giá trị này lớn hơn hoặc bằng với 1" in content


def test_a_household_cannot_be_put_in_another_units_commune(client, officer, commune):
    foreign = CommuneFactory()
    response = client.post(
        reverse("households:create"),
        {"code": "X", "commune": foreign.pk, "head_name": "A", "head_sex": "M", "members_count": 1},
    )
    assert response.status_code == 200 and "commune" in response.context["form"].errors
    assert not Household.objects.exists()


def test_city_leaders_read_but_never_write(client, commune):
    household = HouseholdFactory(commune=commune)
    MemberFactory(household=household)
    leader = UserFactory(role=Role.CITY_LEADER, unit=commune.parent.parent)
    client.force_login(leader)
    page = client.get(reverse("households:detail", args=[household.pk]))
    assert page.status_code == 200
    assert "001180012345" not in page.content.decode()  # ID numbers stay with the unit's officers
    assert client.get(reverse("households:edit", args=[household.pk])).status_code == 403
    assert client.get(reverse("households:create")).status_code == 403
    assert client.post(reverse("households:member_add", args=[household.pk]), {}).status_code == 403


def test_numbers_and_dates_are_vietnamese(client, officer, commune):
    household = HouseholdFactory(commune=commune)
    ReviewFactory(household=household, income_per_capita=1_234_567)
    content = client.get(reverse("households:detail", args=[household.pk])).content.decode()
    assert "1.234.567" in content


def test_english_is_available_through_the_language_switch(client, officer, commune):
    HouseholdFactory(commune=commune)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    content = client.get(reverse("households:list")).content.decode()
    assert "Add household" in content and "Search and filter" in content
    client.post(reverse("set_language"), {"language": "vi", "next": "/"})
    assert "Thêm hộ" in client.get(reverse("households:list")).content.decode()


def test_a_year_out_of_range_in_the_filter_is_an_error_not_a_crash(client, officer, commune):
    client.force_login(officer)
    response = client.get(reverse("households:list"), {"year": "1e200"})
    assert response.status_code == 200


def test_the_list_links_to_exports_of_what_is_filtered_and_years_read_plainly(client, officer, commune):
    household = HouseholdFactory(commune=commune, code="HX1")
    ReviewFactory(household=household, year=2023)
    client.force_login(officer)
    page = client.get(reverse("households:list"), {"year": 2023, "q": "HX"}).content.decode()
    assert f"{reverse('households:export_xlsx')}?year=2023&amp;q=HX" in page
    assert "Phân loại 2023" in page and "2.023" not in page
    detail = client.get(reverse("households:detail", args=[household.pk])).content.decode()
    assert "<td>2023</td>" in detail and "2.023" not in detail
    form = client.get(reverse("households:review", args=[household.pk, 2023])).content.decode()
    assert "Rà soát năm 2023" in form and "2.023" not in form


def test_the_household_page_offers_the_year_after_the_latest_review(client, officer, commune):
    from django.utils import timezone

    this_year = timezone.localdate().year
    reviewed = HouseholdFactory(code="R", commune=commune)
    ReviewFactory(household=reviewed, year=2023)
    fresh = HouseholdFactory(code="F", commune=commune)
    current = HouseholdFactory(code="C", commune=commune)
    ReviewFactory(household=current, year=this_year)

    def offered(household) -> int:
        return client.get(reverse("households:detail", args=[household.pk])).context["start_form"]["year"].value()

    assert offered(reviewed) == 2024
    # An officer of a district (the structure before 1 Jul 2025) writes up to 2024 only.
    assert offered(fresh) == offered(current) == 2024
    page = client.get(reverse("households:detail", args=[reviewed.pk])).content.decode()
    assert 'value="2024"' in page and 'max="2024"' in page


def test_the_household_page_of_a_2025_commune_offers_this_year(client, db):
    from django.utils import timezone

    this_year = timezone.localdate().year
    commune = CommuneFactory(structure=2025, valid_from=datetime.date(2025, 7, 1), valid_to=None, parent=None)
    client.force_login(UserFactory(username="xa-2025", role="commune_officer", unit=commune))
    fresh = HouseholdFactory(code="F", commune=commune)
    current = HouseholdFactory(code="C", commune=commune)
    ReviewFactory(household=current, year=this_year)

    def offered(household) -> int:
        return client.get(reverse("households:detail", args=[household.pk])).context["start_form"]["year"].value()

    assert offered(fresh) == offered(current) == this_year  # not a year that has not come yet


def explain_without_scans_of_everything(queryset, *switched_off: str) -> str:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the indexes exist on PostgreSQL only")
    with connection.cursor() as cursor:
        for setting in ("enable_seqscan", *switched_off):
            cursor.execute(f"SET LOCAL {setting} = off")
        return queryset.explain()


def test_on_postgresql_the_list_s_name_order_reads_its_index(officer, commune):
    """households.filters' expressions must stay those migration 0006 indexed, or a city-wide list
    reads and sorts every household again (0.32 s at 20,000 households, minutes at 2.2 million)."""
    from households.filters import HouseholdFilterSet

    HouseholdFactory(code="BV-0001", commune=commune, head_name="Nguyễn Văn An")
    plan = explain_without_scans_of_everything(
        HouseholdFilterSet({}, queryset=Household.objects.all()).qs, "enable_sort"
    )
    assert "household_vi_sort" in plan, plan


def test_on_postgresql_the_search_reads_its_trigram_indexes(officer, commune):
    from households.filters import search_households

    HouseholdFactory(code="BV-0001", commune=commune, head_name="Nguyễn Văn An")
    queryset = search_households(Household.objects.order_by(), "nguyen")
    plan = explain_without_scans_of_everything(queryset, "enable_indexscan")
    assert "household_name_trgm" in plan and "household_code_trgm" in plan, plan


def test_the_list_asks_for_a_whole_page_even_on_the_last_one(commune):
    """With `LIMIT` the number of rows left, PostgreSQL walked the name index to find a search's
    one match (households.views.FullPagePaginator)."""
    from households.views import FullPagePaginator

    HouseholdFactory(code="ONLY", commune=commune)
    page = FullPagePaginator(Household.objects.order_by("code"), 50).page(1)
    assert page.object_list.query.high_mark == 50
    assert [household.code for household in page.object_list] == ["ONLY"]


def test_a_reviews_history_names_its_fields_as_an_officer_does(admin_units, client):

    from households import services
    from households.history import household_history
    from households.models import Role
    from tests.factories import HouseholdFactory, UserFactory

    household = HouseholdFactory()
    officer = UserFactory(username="xa-lich-su", role=Role.COMMUNE_OFFICER, unit=household.commune)
    data = review_input()
    review = services.save_review(user=officer, household=household, year=2023, data=data, version="")
    data = review_input(deprivations=2)
    services.save_review(
        user=officer, household=household, year=2023, data=data, version=services.review_version(review)
    )
    edit = next(entry for entry in household_history(household) if entry.action == "Sửa")
    labels = [change.label for change in edit.changes]
    assert "Các chỉ số thiếu hụt" in labels and not any("(bit)" in label for label in labels)
    assert "Thu nhập bình quân (đồng/người/tháng)" not in labels  # unchanged: not listed


def test_the_next_code_follows_the_highest_serial_of_the_communes_namespace(client, officer, commune):
    HouseholdFactory(code=f"HN-{commune.code}-00041", commune=commune)
    HouseholdFactory(code=f"HN-{commune.code}-7", commune=commune)  # typed by hand, without zeros
    HouseholdFactory(code=f"HN-{commune.code}-9-old", commune=commune)  # not a serial
    fields = {"code": "", "commune": commune.pk, "head_name": "Lê Văn Bình", "head_sex": "M", "members_count": 1}
    client.post(reverse("households:create"), fields)
    assert Household.objects.filter(code=f"HN-{commune.code}-00042").exists()


def test_a_code_outside_the_officers_namespace_gets_one_answer_whether_or_not_it_exists(client, officer, commune):
    """Codes are unique in the city: if creating one said "already exists", an officer could list
    another commune's households (households.codes)."""
    foreign = HouseholdFactory(code="HN-99999-00001", commune=CommuneFactory(code="99999"))
    answers = []
    for code in (foreign.code, "HN-99999-00002"):
        fields = {"code": code, "commune": commune.pk, "head_name": "Lê Văn Bình", "head_sex": "M", "members_count": 1}
        response = client.post(reverse("households:create"), fields)
        answers.append(response.context["form"].errors["code"][0].replace(code, "…"))
    assert answers[0] == answers[1]
    assert "không thuộc phạm vi của bạn" in answers[0] and f"HN-{commune.code}-" in answers[0]
    assert Household.objects.count() == 1
    # Inside the namespace a chosen code is taken as given.
    fields = {"code": f"HN-{commune.code}-00100", "commune": commune.pk, "head_name": "A", "head_sex": "M"}
    assert client.post(reverse("households:create"), {**fields, "members_count": 1}).status_code == 302
