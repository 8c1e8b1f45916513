"""A dashboard body is built once per run (reports.cache): later requests only ask who is
logged in and which run is current, and a new run or a changed target shows at once."""

from __future__ import annotations

import pytest
from django.urls import reverse

from households.models import AdministrativeUnit, Role, UnitLevel
from reports.models import RecomputeRun
from targets.models import Target
from tests.factories import login
from tests.snapshots import city_unit, make_run, make_value

pytestmark = pytest.mark.django_db

# session, user, city unit, runs
CACHED_CITY_QUERIES = 4


@pytest.fixture
def snapshot(admin_units):
    run = make_run()
    make_value(run, city_unit(), 2022, poor=2134, poor_start=3612)
    return run


def test_a_second_request_is_served_from_the_cache(client, snapshot, django_assert_num_queries):
    login(client)
    first = client.get(reverse("reports:city"), {"year": 2022}).content
    with django_assert_num_queries(CACHED_CITY_QUERIES):
        second = client.get(reverse("reports:city"), {"year": 2022}).content
    main = [page.decode().split("<main", 1)[1] for page in (first, second)]
    assert main[0] == main[1] and "2.134" in main[1]


def test_a_new_run_is_shown_at_once(client, snapshot):
    login(client)
    assert "2.134" in client.get(reverse("reports:city"), {"year": 2022}).content.decode()
    RecomputeRun.objects.filter(pk=snapshot.pk).update(is_current=False)
    newer = make_run()
    make_value(newer, city_unit(), 2022, poor=1999, poor_start=3612)
    page = client.get(reverse("reports:city"), {"year": 2022}).content.decode()
    assert "1.999" in page and "2.134" not in page and f"#{newer.pk}" in page


def test_a_changed_target_is_shown_at_once(client, snapshot):
    login(client)
    before = client.get(reverse("reports:city"), {"year": 2022}).content.decode().split("<main", 1)[1]
    for target in Target.objects.filter(indicator__code="poor", unit=None):
        target.lower_bound, target.upper_bound = 45, 50
        target.save()
    after = client.get(reverse("reports:city"), {"year": 2022}).content.decode().split("<main", 1)[1]
    assert after != before and "45" in after


def test_each_user_sees_their_own_way_up(client, snapshot):
    """The link to the parent unit depends on who looks: it is part of the key."""
    district = AdministrativeUnit.objects.filter(level=UnitLevel.DISTRICT).first()
    make_value(snapshot, district, 2022, poor=10, poor_start=20)
    login(client)
    assert reverse("reports:city") in client.get(reverse("reports:unit", args=[district.pk])).content.decode()
    login(client, role=Role.DISTRICT_OFFICER, unit=district, name="officer")
    page = client.get(reverse("reports:unit", args=[district.pk])).content.decode()
    assert f'href="{reverse("reports:city")}"' not in page.split("<main", 1)[-1].split("</hgroup>", 1)[0]
