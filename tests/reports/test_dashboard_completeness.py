"""Review completeness: per commune, not started / draft / returned / submitted / approved, and late
after 20 December of the review year (docs/review-cycle.md)."""

from __future__ import annotations

import datetime
import itertools

import pytest
from django.urls import reverse

from households.models import (
    AdministrativeUnit,
    Household,
    PovertyClass,
    PovertyStandard,
    Review,
    ReviewState,
    Role,
    UnitLevel,
)
from households.workflow import YearState
from households.workflow import year_state as completeness_status
from reports.completeness import is_late, review_deadline
from tests.factories import login
from tests.snapshots import make_run

_codes = itertools.count()


def make_review(commune: AdministrativeUnit, year: int, state: str) -> Review:
    household = Household.objects.create(
        code=f"H{next(_codes)}", commune=commune, head_name="Nguyễn Văn A", head_sex="M"
    )
    return Review.objects.create(
        household=household,
        year=year,
        commune=commune,
        standard=PovertyStandard.objects.get(code="national-2022-2025"),
        poverty_class=PovertyClass.POOR,
        state=state,
    )


# Without a database: the rules.


def test_a_commune_without_reviews_has_not_started():
    assert completeness_status({}) == YearState.NOT_STARTED
    assert completeness_status(dict.fromkeys(ReviewState.values, 0)) == YearState.NOT_STARTED


def test_one_returned_review_makes_the_commune_returned_whatever_the_others():
    counts = {"draft": 3, "submitted": 2, "returned": 1, "approved": 10}
    assert completeness_status(counts) == YearState.RETURNED


def test_drafting_then_submitted_then_approved():
    assert completeness_status({"draft": 1, "submitted": 4}) == YearState.DRAFT
    assert completeness_status({"submitted": 4, "approved": 2}) == YearState.SUBMITTED
    assert completeness_status({"approved": 6}) == YearState.APPROVED


def test_late_means_not_approved_after_20_december_of_the_review_year():
    assert review_deadline(2024) == datetime.date(2024, 12, 20)
    assert not is_late(YearState.SUBMITTED, 2024, datetime.date(2024, 12, 20))
    assert is_late(YearState.SUBMITTED, 2024, datetime.date(2024, 12, 21))
    assert is_late(YearState.NOT_STARTED, 2024, datetime.date(2025, 1, 3))
    assert not is_late(YearState.APPROVED, 2024, datetime.date(2025, 1, 3))


# With the database: the page.


@pytest.mark.django_db
def test_completeness_page_shows_each_commune_of_a_district_with_its_state(client, admin_units):
    make_run()
    district = AdministrativeUnit.objects.get(level=UnitLevel.DISTRICT, code="271")
    first, second, third, *rest = list(district.children.order_by("code"))
    make_review(first, 2024, ReviewState.APPROVED)
    make_review(second, 2024, ReviewState.SUBMITTED)
    make_review(second, 2024, ReviewState.APPROVED)
    make_review(third, 2024, ReviewState.RETURNED)
    login(client, Role.DISTRICT_OFFICER, district, "officer")

    response = client.get(reverse("reports:completeness"), {"year": 2024})

    assert response.status_code == 200
    entries = {e.unit.pk: e for e in response.context["entries"]}
    assert set(entries) == {c.pk for c in district.children.all()}
    assert entries[first.pk].status == "approved"
    assert entries[second.pk].status == "submitted"
    assert entries[second.pk].counts == {"draft": 0, "submitted": 1, "returned": 0, "approved": 1}
    assert entries[third.pk].status == "returned"
    assert entries[rest[0].pk].status == "not_started"
    # Review year 2024 is long past 20 Dec 2024: everything not approved is late.
    assert not entries[first.pk].late and entries[second.pk].late and entries[rest[0].pk].late
    html = response.content.decode()
    assert "Chưa bắt đầu" in html and "trễ hạn" in html and "20/12/2024" in html


@pytest.mark.django_db
def test_completeness_reads_review_states_in_one_grouped_query(client, admin_units, django_assert_num_queries):
    make_run()
    district = AdministrativeUnit.objects.get(level=UnitLevel.DISTRICT, code="271")
    login(client, Role.CITY_LEADER, None)
    url = reverse("reports:completeness")
    # session, user, unit, first plan's baseline (the years offered), runs, communes, grouped review states
    with django_assert_num_queries(7):
        client.get(url, {"year": 2024, "unit": district.pk})
    for commune in district.children.all():
        make_review(commune, 2024, ReviewState.SUBMITTED)
        make_review(commune, 2024, ReviewState.APPROVED)
    with django_assert_num_queries(7):
        response = client.get(url, {"year": 2024, "unit": district.pk})
    assert {e.status for e in response.context["entries"]} == {"submitted"}


@pytest.mark.django_db
def test_commune_officer_cannot_see_another_communes_completeness(client, admin_units):
    district = AdministrativeUnit.objects.get(level=UnitLevel.DISTRICT, code="271")
    mine, other = list(district.children.order_by("code")[:2])
    login(client, Role.COMMUNE_OFFICER, mine, "commune")

    own = client.get(reverse("reports:completeness"), {"year": 2024})

    assert [e.unit for e in own.context["entries"]] == [mine]
    assert client.get(reverse("reports:completeness"), {"year": 2024, "unit": other.pk}).status_code == 404
    assert client.get(reverse("reports:completeness"), {"year": 2024, "unit": district.pk}).status_code == 404
