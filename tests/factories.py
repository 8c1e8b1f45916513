"""factory_boy factories for units, users, households, members and reviews.

Units are made up (codes 9xx / 9xxxx) so tests that do not need Hanoi's real units stay fast;
tests that need real codes use the `admin_units` fixture instead.
"""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.test import Client

from households.models import (
    AdministrativeUnit,
    Area,
    Household,
    Member,
    PovertyClass,
    PovertyStandard,
    Review,
    Role,
    Sex,
    Structure,
    UnitKind,
    UnitLevel,
)


class CityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AdministrativeUnit
        django_get_or_create = ("code", "structure")

    code = "01"
    name = "Thành phố Hà Nội"
    level = UnitLevel.CITY
    kind = UnitKind.CITY
    structure = Structure.LEGACY


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AdministrativeUnit

    code = factory.Sequence(lambda n: f"{900 + n % 100:03d}")
    name = factory.Sequence(lambda n: f"Huyện Thử {n}")
    level = UnitLevel.DISTRICT
    kind = UnitKind.RURAL_DISTRICT
    area = Area.RURAL
    parent = factory.SubFactory(CityFactory)
    structure = Structure.LEGACY
    valid_from = datetime.date(2021, 1, 1)
    valid_to = datetime.date(2025, 6, 30)


class CommuneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AdministrativeUnit

    code = factory.Sequence(lambda n: f"{90000 + n % 10000:05d}")
    name = factory.Sequence(lambda n: f"Xã Thử {n}")
    level = UnitLevel.COMMUNE
    kind = UnitKind.COMMUNE
    area = Area.RURAL
    parent = factory.SubFactory(DistrictFactory)
    structure = Structure.LEGACY
    valid_from = datetime.date(2021, 1, 1)
    valid_to = datetime.date(2025, 6, 30)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"officer{n}")
    first_name = "An"
    last_name = "Nguyễn Văn"
    role = Role.DISTRICT_OFFICER
    unit = factory.SubFactory(DistrictFactory)
    password = factory.django.Password("x-Secret-2025")


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    code = factory.Sequence(lambda n: f"HH{n:06d}")
    commune = factory.SubFactory(CommuneFactory)
    village = "Thôn 1"
    head_name = factory.Sequence(lambda n: f"Nguyễn Văn {n}")
    head_sex = Sex.MALE
    members_count = 4


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    household = factory.SubFactory(HouseholdFactory)
    full_name = factory.Sequence(lambda n: f"Trần Thị {n}")
    relation = "Vợ"
    sex = Sex.FEMALE
    birth_year = 1980
    id_number = "001180012345"


def standard_for(year: int) -> PovertyStandard:
    return PovertyStandard.objects.for_review(year)


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    household = factory.SubFactory(HouseholdFactory)
    year = 2023
    commune = factory.SelfAttribute("household.commune")
    standard = factory.LazyAttribute(lambda o: standard_for(o.year))
    income_per_capita = Decimal(1_200_000)
    deprivation_flags = 0b111
    deprivation_count = 3
    poverty_class = PovertyClass.POOR
    head_sex = Sex.MALE


class Unit:
    """A district with two communes, its officers, and a commune officer of the first commune."""

    def __init__(self, name="a"):
        self.commune = CommuneFactory()
        self.district = self.commune.parent
        self.other_commune = CommuneFactory(parent=self.district)
        self.officer = UserFactory(username=f"district-{name}", role=Role.DISTRICT_OFFICER, unit=self.district)
        self.commune_officer = UserFactory(username=f"commune-{name}", role=Role.COMMUNE_OFFICER, unit=self.commune)

    def code(self, name: str, commune=None) -> str:
        """A household code in the commune's namespace, as an officer mints it (households.codes)."""
        return f"HN-{(commune or self.commune).code}-{name}"

    def client(self, user=None) -> Client:
        client = Client()
        client.force_login(user or self.officer)
        return client


def login(client, role: str = Role.CITY_LEADER, unit: AdministrativeUnit | None = None, name: str = "leader"):
    user = get_user_model().objects.create_user(name, password="x", role=role, unit=unit)
    client.force_login(user)
    return user
