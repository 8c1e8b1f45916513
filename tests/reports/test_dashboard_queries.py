"""Each dashboard page runs a fixed number of SQL queries whatever the size of the snapshot."""

from __future__ import annotations

import pytest
from django.urls import reverse

from households.models import AdministrativeUnit, Role, UnitLevel
from tests.factories import login
from tests.snapshots import city_unit, legacy_districts, make_run, make_value, seed_city

DISTRICT_CODE = "271"  # Huyện Ba Vì, 31 communes


def seed(size: str) -> None:
    """small: one year, three districts, two communes; large: four years, every district and
    every commune of Ba Vì."""
    run = make_run()
    district = AdministrativeUnit.objects.get(level=UnitLevel.DISTRICT, code=DISTRICT_CODE)
    if size == "small":
        make_value(run, city_unit(), 2022, poor=2134, poor_start=3612)
        districts, communes, years = [*legacy_districts()[:2], district], list(district.children.all()[:2]), [2022]
    else:
        seed_city(run)
        districts, communes, years = legacy_districts(), list(district.children.all()), [2021, 2022, 2023, 2024]
    for year in years:
        for index, unit in enumerate([*districts, *communes]):
            make_value(run, unit, year, poor=50 + index, poor_start=70 + index, near_poor=200, near_poor_start=230)


# session, user, city unit, runs, unit series, plans, rows below, targets, deprivation names
CITY_QUERIES = 9
# session, user, unit, runs, unit series, plans, rows below, the city (targets' ancestors), targets, deprivation names
DISTRICT_QUERIES = 10
# session, user, unit, runs, unit series, plans, district and city (targets' ancestors), targets, deprivation names
COMMUNE_QUERIES = 10
# session, user, unit, own row, rows below, runs
SUMMARY_QUERIES = 6


@pytest.mark.django_db
@pytest.mark.parametrize("size", ["small", "large"])
def test_city_overview_runs_a_fixed_number_of_queries(client, admin_units, django_assert_num_queries, size):
    seed(size)
    login(client)

    with django_assert_num_queries(CITY_QUERIES):
        response = client.get(reverse("reports:city"), {"year": 2022})

    assert response.status_code == 200 and response.context["rows"]


@pytest.mark.django_db
@pytest.mark.parametrize("size", ["small", "large"])
def test_district_page_runs_a_fixed_number_of_queries(client, admin_units, django_assert_num_queries, size):
    seed(size)
    district = AdministrativeUnit.objects.get(level=UnitLevel.DISTRICT, code=DISTRICT_CODE)
    login(client)

    with django_assert_num_queries(DISTRICT_QUERIES):
        response = client.get(reverse("reports:unit", args=[district.pk]), {"year": 2022})

    assert response.status_code == 200 and response.context["rows"]


@pytest.mark.django_db
@pytest.mark.parametrize("size", ["small", "large"])
def test_commune_page_runs_a_fixed_number_of_queries(client, admin_units, django_assert_num_queries, size):
    seed(size)
    commune = AdministrativeUnit.objects.get(level=UnitLevel.DISTRICT, code=DISTRICT_CODE).children.first()
    login(client)

    with django_assert_num_queries(COMMUNE_QUERIES):
        response = client.get(reverse("reports:unit", args=[commune.pk]), {"year": 2022})

    assert response.status_code == 200 and response.context["cards"]


@pytest.mark.django_db
@pytest.mark.parametrize("size", ["small", "large"])
def test_an_officer_pays_no_query_for_the_unit_shown_in_the_navigation(
    client, admin_units, django_assert_num_queries, size
):
    """The unit comes with the user (households.accounts.UnitLoadingBackend)."""
    seed(size)
    district = AdministrativeUnit.objects.get(level=UnitLevel.DISTRICT, code=DISTRICT_CODE)
    login(client, Role.DISTRICT_OFFICER, district, "officer")

    with django_assert_num_queries(DISTRICT_QUERIES):
        client.get(reverse("reports:unit", args=[district.pk]), {"year": 2022})


@pytest.mark.django_db
@pytest.mark.parametrize("size", ["small", "large"])
@pytest.mark.parametrize("name", ["reports:summary", "reports:summary_xlsx"])
def test_summary_table_runs_a_fixed_number_of_queries(client, admin_units, django_assert_num_queries, size, name):
    seed(size)
    login(client)

    with django_assert_num_queries(SUMMARY_QUERIES):
        response = client.get(reverse(name), {"year": 2022})

    assert response.status_code == 200
