"""Every admin page opens for an administrator, with data in it; standards are editable, reviews
and the logs are read-only."""

import pytest
from django.contrib import admin
from django.urls import reverse

from households.models import ImportJob, PovertyStandard, Review, ReviewTransition, Role, UnitYear
from reports.models import RecomputeRun
from tests.factories import ReviewFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    review = ReviewFactory()
    user = UserFactory(username="root", role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True)
    UnitYear.objects.create(unit=review.commune, year=2023, total_households=100)
    ImportJob.objects.create(user=user, filename="x.csv", file_path="imports/x.csv")
    ReviewTransition.objects.create(
        commune=review.commune, year=2023, from_state="draft", to_state="submitted", user=user
    )
    RecomputeRun.objects.create(requested_by="tests")
    client.force_login(user)
    return client


def test_every_admin_changelist_opens(admin_client):
    for model in admin.site._registry:
        meta = model._meta
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        assert admin_client.get(url).status_code == 200, url


def test_a_standard_is_edited_in_the_admin_with_its_indicators(admin_client):
    standard = PovertyStandard.objects.get(code="national-2022-2025")
    page = admin_client.get(reverse("admin:households_povertystandard_change", args=[standard.pk]))
    assert page.status_code == 200 and "Người phụ thuộc trong hộ gia đình" in page.content.decode()


def test_reviews_cannot_be_changed_in_the_admin(admin_client):
    review = Review.objects.get()
    url = reverse("admin:households_review_change", args=[review.pk])
    assert admin_client.get(url).status_code == 200  # a read-only view
    before = review.poverty_class
    assert admin_client.post(url, {"poverty_class": "above_average"}).status_code == 403
    review.refresh_from_db()
    assert review.poverty_class == before
    assert admin_client.get(reverse("admin:households_review_add")).status_code == 403


def test_the_admins_user_page_refuses_a_role_that_does_not_fit_its_unit(admin_client):
    from households.models import User

    commune = Review.objects.get().commune
    user = User.objects.get(username="root")
    data = {
        "username": "so",
        "password": "",
        "role": Role.CITY_OFFICER,
        "unit": commune.pk,
        "is_active": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
    }
    response = admin_client.post(reverse("admin:households_user_change", args=[user.pk]), {**data, "username": "root"})
    assert response.status_code == 200 and "cần đơn vị thành phố (01)" in response.content.decode()
    user.refresh_from_db()
    assert user.role == Role.ADMINISTRATOR
