"""The review workflow of a commune-year: draft → submitted → approved or returned with a comment."""

from collections import Counter

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from households import workflow
from households.models import ReviewState, ReviewTransition, Role
from households.workflow import YearState, year_state
from reports.models import RecomputeRun
from tests.builders import review_input
from tests.factories import CommuneFactory, ReviewFactory, UserFactory


def test_a_year_without_reviews_is_not_started():
    assert year_state(Counter()) == YearState.NOT_STARTED


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ({"draft": 3}, YearState.DRAFT),
        ({"submitted": 2, "approved": 1}, YearState.SUBMITTED),
        ({"submitted": 2, "draft": 1}, YearState.DRAFT),  # changed after submission: back to the commune
        ({"returned": 2, "draft": 1}, YearState.RETURNED),  # partly fixed: still returned
        ({"approved": 5}, YearState.APPROVED),
        ({"approved": 5, "draft": 0}, YearState.APPROVED),
    ],
)
def test_the_state_of_a_commune_year_follows_its_least_advanced_reviews(counts, expected):
    assert year_state(counts) == expected


class Unit:
    def __init__(self, name: str):
        self.commune = CommuneFactory()
        self.district = self.commune.parent
        self.officer = UserFactory(username=f"district-{name}", role=Role.DISTRICT_OFFICER, unit=self.district)
        self.commune_officer = UserFactory(username=f"commune-{name}", role=Role.COMMUNE_OFFICER, unit=self.commune)
        self.reviews = [ReviewFactory(household__commune=self.commune, year=2023) for _ in range(3)]

    def client(self, user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    def url(self, action: str) -> str:
        return reverse(f"households:workflow_{action}", args=[self.commune.pk, 2023])

    def states(self) -> set[str]:
        return {review.state for review in self.commune.reviews.filter(year=2023)}


@pytest.fixture
def unit(db):
    return Unit("a")


@pytest.fixture
def recompute_queue(monkeypatch):
    from reports import tasks

    queued = []
    monkeypatch.setattr(tasks.recompute_all, "apply_async", lambda args, **options: queued.append(args[0]))
    return queued


def test_a_commune_officer_submits_and_the_district_officer_approves(
    unit, recompute_queue, django_capture_on_commit_callbacks
):
    response = unit.client(unit.commune_officer).post(unit.url("submit"))
    assert response.status_code == 302 and unit.states() == {ReviewState.SUBMITTED}
    with django_capture_on_commit_callbacks(execute=True):
        unit.client(unit.officer).post(unit.url("approve"), {"comment": "Đúng quy trình"})
    assert unit.states() == {ReviewState.APPROVED}
    submitted, approved = ReviewTransition.objects.order_by("at", "pk")
    assert (submitted.user, submitted.from_state, submitted.to_state, submitted.reviews) == (
        unit.commune_officer,
        "draft",
        "submitted",
        3,
    )
    assert (approved.user, approved.from_state, approved.to_state, approved.comment) == (
        unit.officer,
        "submitted",
        "approved",
        "Đúng quy trình",
    )
    run = RecomputeRun.objects.get()
    assert recompute_queue == [run.pk], "approving queues a recompute once it commits"
    page = unit.client(unit.officer).get(reverse("households:workflow_detail", args=[unit.commune.pk, 2023]))
    assert "Đã phê duyệt" in page.content.decode() and "Đúng quy trình" in page.content.decode()


def test_a_district_officer_may_submit_for_a_commune(unit):
    workflow.submit(commune=unit.commune, year=2023, user=unit.officer)
    assert unit.states() == {ReviewState.SUBMITTED}


def test_a_return_needs_a_comment_and_the_commune_resubmits(unit):
    workflow.submit(commune=unit.commune, year=2023, user=unit.commune_officer)
    response = unit.client(unit.officer).post(unit.url("return"), {"comment": "  "}, follow=True)
    assert "Hãy ghi lý do trả lại" in response.content.decode()
    assert unit.states() == {ReviewState.SUBMITTED} and ReviewTransition.objects.count() == 1
    unit.client(unit.officer).post(unit.url("return"), {"comment": "Thiếu hộ ở thôn 3"})
    assert unit.states() == {ReviewState.RETURNED}
    assert ReviewTransition.objects.latest("pk").comment == "Thiếu hộ ở thôn 3"
    workflow.submit(commune=unit.commune, year=2023, user=unit.commune_officer)
    assert unit.states() == {ReviewState.SUBMITTED}


def test_the_officers_landing_page_shows_a_returned_year_and_its_comment(unit):
    landing = reverse("households:list")
    assert "bị trả lại" not in unit.client(unit.commune_officer).get(landing).content.decode()
    workflow.submit(commune=unit.commune, year=2023, user=unit.commune_officer)
    workflow.return_(commune=unit.commune, year=2023, user=unit.officer, comment="Thiếu hộ ở thôn 3")
    page = unit.client(unit.commune_officer).get(landing).content.decode()
    assert f"Rà soát năm 2023 của {unit.commune.name} bị trả lại" in page and "«Thiếu hộ ở thôn 3»" in page
    assert reverse("households:workflow_detail", args=[unit.commune.pk, 2023]) in page
    # Submitted again: the banner goes.
    workflow.submit(commune=unit.commune, year=2023, user=unit.commune_officer)
    assert "bị trả lại" not in unit.client(unit.commune_officer).get(landing).content.decode()


def test_a_commune_officer_may_not_approve_or_return(unit):
    workflow.submit(commune=unit.commune, year=2023, user=unit.commune_officer)
    client = unit.client(unit.commune_officer)
    assert client.post(unit.url("approve")).status_code == 403
    assert client.post(unit.url("return"), {"comment": "x"}).status_code == 403
    assert unit.states() == {ReviewState.SUBMITTED}


def test_another_districts_officer_gets_404_everywhere(unit):
    other = Unit("b")
    workflow.submit(commune=unit.commune, year=2023, user=unit.commune_officer)
    for user in (other.officer, other.commune_officer):
        client = unit.client(user)
        assert client.get(reverse("households:workflow_detail", args=[unit.commune.pk, 2023])).status_code == 404
        for action in ("submit", "approve", "return"):
            assert client.post(unit.url(action), {"comment": "x"}).status_code == 404
        assert unit.commune.name not in client.get(reverse("households:workflow"), {"year": 2023}).content.decode()
    assert unit.states() == {ReviewState.SUBMITTED}
    with pytest.raises(PermissionDenied):
        workflow.approve(commune=unit.commune, year=2023, user=other.officer)


def test_only_a_submitted_year_can_be_approved_and_an_approved_one_not_resubmitted(unit):
    with pytest.raises(ValidationError):
        workflow.approve(commune=unit.commune, year=2023, user=unit.officer)
    workflow.submit(commune=unit.commune, year=2023, user=unit.commune_officer)
    workflow.approve(commune=unit.commune, year=2023, user=unit.officer)
    with pytest.raises(ValidationError):
        workflow.submit(commune=unit.commune, year=2023, user=unit.commune_officer)
    with pytest.raises(ValidationError):
        workflow.return_(commune=unit.commune, year=2023, user=unit.officer, comment="mở lại")
    with pytest.raises(ValidationError):
        workflow.submit(commune=unit.commune, year=2024, user=unit.commune_officer)  # no reviews: not started


def test_an_administrator_may_reopen_an_approved_year(unit, recompute_queue):
    admin = UserFactory(username="admin", role=Role.ADMINISTRATOR, unit=unit.district.parent)
    workflow.submit(commune=unit.commune, year=2023, user=unit.commune_officer)
    workflow.approve(commune=unit.commune, year=2023, user=admin)
    workflow.return_(commune=unit.commune, year=2023, user=admin, comment="Sai số nhân khẩu")
    assert unit.states() == {ReviewState.RETURNED}


def test_an_approved_year_is_read_only_to_a_commune_officer_in_the_review_form(unit):
    from households import services

    workflow.submit(commune=unit.commune, year=2023, user=unit.commune_officer)
    workflow.approve(commune=unit.commune, year=2023, user=unit.officer)
    assert workflow.year_is_locked(unit.commune_officer, unit.commune, 2023)
    review = unit.reviews[0]
    review.refresh_from_db()  # the form is opened after the approval (the approval moved its version)
    data = review_input(9_000_000, deprivations=0)
    with pytest.raises(PermissionDenied):
        services.save_review(
            user=unit.commune_officer,
            household=review.household,
            year=2023,
            data=data,
            version=services.review_version(review),
        )


def test_no_household_can_be_added_to_an_approved_year_except_by_an_administrator(unit):
    from households import services
    from tests.factories import HouseholdFactory

    workflow.submit(commune=unit.commune, year=2023, user=unit.commune_officer)
    workflow.approve(commune=unit.commune, year=2023, user=unit.officer)
    newcomer = HouseholdFactory(commune=unit.commune)
    data = review_input(900_000, deprivations=0)
    with pytest.raises(PermissionDenied, match="không thể thêm hộ mới"):
        services.save_review(user=unit.commune_officer, household=newcomer, year=2023, data=data, version="")
    assert not newcomer.reviews.exists()
    admin = UserFactory(username="admin", role=Role.ADMINISTRATOR, unit=unit.district.parent)
    services.save_review(user=admin, household=newcomer, year=2023, data=data, version="")
    assert newcomer.reviews.get().poverty_class == "near_poor"  # poor needs 3 deprivations as well


def test_the_workflow_page_lists_the_scope_with_states_and_buttons_in_constant_queries(
    unit, django_assert_max_num_queries
):
    second = CommuneFactory(parent=unit.district)
    ReviewFactory(household__commune=second, year=2023)
    workflow.submit(commune=second, year=2023, user=unit.officer)
    client = unit.client(unit.officer)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("households:workflow"), {"year": 2023}).content.decode()
    assert unit.commune.name in page and second.name in page
    assert "Gửi phê duyệt" in page and "Phê duyệt" in page and "Đã gửi, chờ phê duyệt" in page
    for _ in range(5):
        ReviewFactory(household__commune=CommuneFactory(parent=unit.district), year=2023)
    with django_assert_max_num_queries(12):
        client.get(reverse("households:workflow"), {"year": 2023})
    commune_page = unit.client(unit.commune_officer).get(reverse("households:workflow"), {"year": 2023})
    text = commune_page.content.decode()
    assert unit.commune.name in text and second.name not in text


# --- submitted means frozen (issue 12) -----------------------------------------------------------


def test_a_submitted_year_is_frozen_for_the_form_and_the_upload_until_it_is_withdrawn(unit):
    import io

    from households import services
    from households.importer import ImportRefused, import_reviews
    from households.services import review_version
    from tests.builders import csv_bytes, review_row

    workflow.submit(commune=unit.commune, year=2023, user=unit.commune_officer)
    review = unit.reviews[0]
    review.refresh_from_db()
    with pytest.raises(PermissionDenied, match="đã gửi phê duyệt"):
        services.save_review(
            user=unit.commune_officer,
            household=review.household,
            year=2023,
            data=review_input(900_000),
            version=review_version(review),
        )
    changed = [review_row(review.household.code, unit.commune, income=900_000)]
    with pytest.raises(ImportRefused) as refused:
        import_reviews(io.BytesIO(csv_bytes(changed)), filename="a.csv", user=unit.commune_officer)
    assert "đã gửi phê duyệt" in str(refused.value.errors[0])
    assert unit.states() == {ReviewState.SUBMITTED}

    # The commune takes its submission back: recorded, and the year is the commune's again.
    page = unit.client(unit.commune_officer).get(reverse("households:workflow_detail", args=[unit.commune.pk, 2023]))
    assert "Rút lại để sửa" in page.content.decode()
    unit.client(unit.commune_officer).post(unit.url("withdraw"))
    assert unit.states() == {ReviewState.DRAFT}
    last = ReviewTransition.objects.filter(commune=unit.commune, year=2023).first()
    assert (last.from_state, last.to_state, last.user) == ("submitted", "draft", unit.commune_officer)
    review.refresh_from_db()  # withdrawing moved its version too
    saved = services.save_review(
        user=unit.commune_officer,
        household=review.household,
        year=2023,
        data=review_input(900_000),
        version=review_version(review),
    )
    assert saved.income_per_capita == 900_000


def test_only_a_submitted_year_can_be_withdrawn_and_only_by_its_commune(unit):
    with pytest.raises(ValidationError):
        workflow.withdraw(commune=unit.commune, year=2023, user=unit.commune_officer)  # a draft
    workflow.submit(commune=unit.commune, year=2023, user=unit.commune_officer)
    leader = UserFactory(username="leader", role=Role.CITY_LEADER, unit=CommuneFactory().parent.parent or None)
    with pytest.raises(PermissionDenied):
        workflow.withdraw(commune=unit.commune, year=2023, user=leader)
    assert unit.states() == {ReviewState.SUBMITTED}


# --- approving means seeing (issue 12) ----------------------------------------------------------


def test_the_approval_page_shows_the_classes_the_changes_and_what_is_missing(unit):
    from households.models import Household, PovertyClass, UnitYear

    escaped = unit.reviews[0].household
    ReviewFactory(household=escaped, year=2022, poverty_class=PovertyClass.POOR, commune=unit.commune)
    for review in unit.reviews:
        review.poverty_class = PovertyClass.NEAR_POOR
        review.save()
    Household.objects.create(code="NOT-YET", commune=unit.commune, head_name="Lê Văn Chưa", head_sex="M")
    UnitYear.objects.create(unit=unit.commune, year=2023, total_households=1200)
    workflow.submit(commune=unit.commune, year=2023, user=unit.commune_officer)

    page = unit.client(unit.officer).get(reverse("households:workflow_detail", args=[unit.commune.pk, 2023]))
    html = page.content.decode()
    summary = page.context["summary"]
    assert summary.reviews == 3 and summary.first_reviews == 2 and summary.registry_not_reviewed == 1
    assert ("Hộ cận nghèo", 3, 0) in summary.class_rows and ("Hộ nghèo", 0, 1) in summary.class_rows
    assert [(c.code, c.before_label, c.after_label) for c in summary.changed] == [
        (escaped.code, "Hộ nghèo", "Hộ cận nghèo")
    ]
    assert "1 hộ đổi phân loại" in html and "1.200 hộ dân cư" in html
    assert f"?commune={unit.commune.pk}&amp;year=2023" in html and "Phê duyệt" in html


def test_a_transition_moves_each_reviews_version_and_its_history_names_who_moved_it(unit):
    from households.services import review_version

    review = unit.reviews[0]
    review.refresh_from_db()
    before = review_version(review)
    workflow.submit(commune=unit.commune, year=2023, user=unit.commune_officer)
    review.refresh_from_db()
    assert review.state == ReviewState.SUBMITTED and review_version(review) != before
    latest = review.history.order_by("-history_date", "-history_id").first()
    assert (latest.state, latest.history_user) == (ReviewState.SUBMITTED, unit.commune_officer)
    workflow.approve(commune=unit.commune, year=2023, user=unit.officer)
    latest = review.history.order_by("-history_date", "-history_id").first()
    assert (latest.state, latest.history_user) == (ReviewState.APPROVED, unit.officer)
