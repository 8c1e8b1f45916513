"""Households at risk of falling back (issue 16): listed for officers with their reasons, under the
visibility rule, exportable in the template's columns; counts per commune for a city leader."""

import csv
import io

import pytest
from django.urls import reverse

from households.importer import import_reviews
from households.models import Role
from tests.builders import RURAL, csv_file, review_row
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviews(admin_units):
    rows = [
        review_row("NEAR-LINE", year=2023, income=1_700_000, deprivations=1),  # 1.5M line + 13 %
        review_row("FAR", year=2023, income=5_000_000, deprivations=0),
        review_row("DEPRIVED", year=2023, income=4_000_000, deprivations=3),
        review_row("ESCAPED", year=2022, income=1_000_000, deprivations=4),
        review_row("ESCAPED", year=2023, income=3_000_000, deprivations=0),
        review_row("POOR", year=2023, income=1_000_000, deprivations=4),
    ]
    import_reviews(csv_file(rows), filename="a.csv")


def officer(client, admin_units_unit_code=RURAL, role=Role.COMMUNE_OFFICER, username="xa-nguy-co"):
    from households import accounts

    unit = accounts.resolve_unit(admin_units_unit_code, structure=2008)
    user = UserFactory(username=username, role=role, unit=unit)
    client.force_login(user)
    return user


def test_officers_see_each_household_at_risk_with_its_reasons(reviews, client):
    officer(client)
    page = client.get(reverse("households:at_risk"))
    found = {item.household.code: [r.value for r in item.reasons] for item in page.context["households"]}
    assert found == {
        "NEAR-LINE": ["income_near_line"],
        "DEPRIVED": ["many_deprivations"],
        "ESCAPED": ["escaped_recently"],
    }
    assert "Thu nhập sát chuẩn nghèo" in page.content.decode()


def test_the_list_exports_in_the_template_s_columns_and_filters_by_reason(reviews, client):
    officer(client)
    exported = client.get(reverse("households:at_risk"), {"format": "csv", "reason": "escaped_recently"})
    table = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert [line[0] for line in table[1:]] == ["ESCAPED"] and len(table[0]) > 20


def test_a_city_leader_sees_counts_per_commune_never_names(reviews, client):
    officer(client, "01", Role.CITY_LEADER, "lanh-dao-nguy-co")
    page = client.get(reverse("households:at_risk"))
    assert page.context["households"] == [] and page.context["per_commune"] == [("Xã Phú Cường", 3)]
    assert "NEAR-LINE" not in page.content.decode()
    assert client.get(reverse("households:at_risk"), {"format": "csv"}).status_code == 200
    assert b"NEAR-LINE" not in client.get(reverse("households:at_risk"), {"format": "csv"}).content


def test_another_commune_s_officer_sees_none_of_them(reviews, client):
    officer(client, "09628", username="xa-khac")
    assert client.get(reverse("households:at_risk")).context["total"] == 0
