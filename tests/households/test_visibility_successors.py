"""From 1 Jul 2025 a commune of the new structure reviews the households of the communes it took
over: its officer sees those of the old communes whose primary successor it is, and no others."""

import pytest
from django.urls import reverse

from households import services
from households.models import AdministrativeUnit, Household, Role, Structure, Succession
from tests.builders import review_input
from tests.factories import HouseholdFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def merger(admin_units):
    """A new commune, an old commune it took over as primary successor, one it took a part of
    (not primary), and an unrelated old commune; a household in each, and one in the new commune."""
    split = Succession.objects.filter(is_primary=False).select_related("predecessor", "successor").first()
    new = split.successor
    taken_over = Succession.objects.filter(successor=new, is_primary=True).first().predecessor
    unrelated = AdministrativeUnit.objects.filter(structure=Structure.LEGACY, level="commune").exclude(
        successions_out__successor=new
    )[0]
    homes = {
        "taken_over": HouseholdFactory(commune=taken_over),
        "part_of": HouseholdFactory(commune=split.predecessor),
        "unrelated": HouseholdFactory(commune=unrelated),
        "new": HouseholdFactory(commune=new),
    }
    officer = UserFactory(username="xa-moi", role=Role.COMMUNE_OFFICER, unit=new)
    return {"new": new, "taken_over": taken_over, "split": split.predecessor, "homes": homes, "officer": officer}


def test_the_new_communes_officer_sees_the_households_it_took_over_and_no_others(merger):
    seen = set(Household.objects.visible_to(merger["officer"]).values_list("pk", flat=True))
    homes = merger["homes"]
    assert seen == {homes["taken_over"].pk, homes["new"].pk}
    assert Household.objects.visible_to(merger["officer"]).count() == 2  # no row twice through the join


def test_the_old_communes_officer_keeps_seeing_their_households(merger):
    old_officer = UserFactory(username="xa-cu", role=Role.COMMUNE_OFFICER, unit=merger["taken_over"])
    seen = set(Household.objects.visible_to(old_officer).values_list("pk", flat=True))
    assert seen == {merger["homes"]["taken_over"].pk}


def test_the_new_communes_officer_does_the_2025_review_of_a_household_taken_over(merger, client):
    home = merger["homes"]["taken_over"]
    data = review_input(900_000)
    review = services.save_review(user=merger["officer"], household=home, year=2025, data=data, version="")
    assert review.commune == merger["new"] and review.poverty_class == "poor"

    client.force_login(merger["officer"])
    assert client.get(reverse("households:detail", args=[home.pk])).status_code == 200
    other = merger["homes"]["unrelated"]
    assert client.get(reverse("households:detail", args=[other.pk])).status_code == 404
