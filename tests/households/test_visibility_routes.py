"""THE visibility test: an officer of one district walks every route of households/urls.py and
reaches nothing of another district, whether reading or writing; anonymous users go to login.

The walk iterates over `households.urls.urlpatterns` and fails on a route whose arguments it
cannot fill, so a new page (upload, export, workflow, …) is covered as soon as it is added, or
the test says what to teach it.
"""

import io
import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, reverse

from households.models import Household, ImportJob, Member, Review, Role
from households.urls import app_name, urlpatterns
from tests.factories import CommuneFactory, HouseholdFactory, MemberFactory, ReviewFactory, UserFactory

pytestmark = pytest.mark.django_db

# Routes anybody may open.
PUBLIC = {"login"}
YEAR = 2023


def patterns(items=urlpatterns, prefix=""):
    for item in items:
        if isinstance(item, URLResolver):
            yield from patterns(item.url_patterns, prefix)
        elif isinstance(item, URLPattern):
            yield item


def arguments(pattern: URLPattern) -> list[str]:
    return list(pattern.pattern.converters) or re.findall(r"<(?:\w+:)?(\w+)>", str(pattern.pattern))


class District:
    """One district's officer, commune, household with a member and a review."""

    def __init__(self, name: str, head_name: str, member_name: str):
        self.commune = CommuneFactory(name=f"Xã {name}")
        self.district = self.commune.parent
        self.officer = UserFactory(username=f"officer-{name}", role=Role.DISTRICT_OFFICER, unit=self.district)
        self.commune_officer = UserFactory(username=f"commune-{name}", role=Role.COMMUNE_OFFICER, unit=self.commune)
        self.household = HouseholdFactory(code=f"HH-{name.upper()}", commune=self.commune, head_name=head_name)
        self.member = MemberFactory(household=self.household, full_name=member_name, id_number="079123456789")
        self.review = ReviewFactory(household=self.household, year=YEAR)
        # An upload of this district's officer (households/uploads.py): only its uploader sees it.
        self.job = ImportJob.objects.create(user=self.officer, filename="ra-soat.csv", file_path="imports/none.csv")

    def kwargs(self, pattern: URLPattern) -> dict:
        known = {
            "pk": self.household.pk,
            "household_pk": self.household.pk,
            "member_pk": self.member.pk,
            "review_pk": self.review.pk,
            "year": YEAR,
            "job_pk": self.job.pk,
            "commune_pk": self.commune.pk,
            "unit_pk": self.commune.pk,
            "commune": self.commune.code,
            "commune_code": self.commune.code,
        }
        missing = [name for name in arguments(pattern) if name not in known]
        assert not missing, f"route {pattern.name!r}: teach test_visibility_routes the argument(s) {missing}"
        return {name: known[name] for name in arguments(pattern)}

    def secrets(self) -> list[str]:
        return [self.household.code, self.household.head_name, self.member.full_name, self.member.id_number]

    def snapshot(self) -> tuple:
        return (
            list(Household.objects.filter(pk=self.household.pk).values()),
            list(Member.objects.filter(household=self.household).values()),
            list(Review.objects.filter(household=self.household).values()),
        )


@pytest.fixture
def districts(db):
    return District("ba-vi", "Nguyễn Văn Mật", "Nguyễn Thị Riêng"), District("soc-son", "Lê Văn Khác", "Lê Thị Ẩn")


def body_text(response) -> str:
    """What a person could read in the response, whatever its format (HTML, CSV, xlsx, JSON)."""
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    if raw[:2] == b"PK":  # xlsx
        from openpyxl import load_workbook

        workbook = load_workbook(io.BytesIO(raw), read_only=True)
        return "\n".join(
            " ".join(str(cell) for cell in row if cell is not None)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
        )
    return raw.decode("utf-8", errors="replace")


def test_the_walk_knows_every_route():
    names = [pattern.name for pattern in patterns()]
    assert all(names), "every route of households/urls.py needs a name"
    assert {"list", "detail", "edit", "history", "member_add", "member_edit", "member_delete", "review"} <= set(names)
    assert "review_classify" in names


def test_anonymous_users_are_sent_to_login_from_every_route(client, districts):
    own, _ = districts
    for pattern in patterns():
        if pattern.name in PUBLIC:
            continue
        url = reverse(f"{app_name}:{pattern.name}", kwargs=own.kwargs(pattern))
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code in (302, 403, 405), (pattern.name, method, response.status_code)
            if response.status_code == 302:
                assert response.url.startswith(reverse("login")), (pattern.name, method, response.url)


@pytest.mark.parametrize("who", ["officer", "commune_officer"])
def test_no_route_reads_or_writes_another_districts_households(districts, who):
    own, foreign = districts
    client = Client()
    client.force_login(getattr(own, who))
    before = foreign.snapshot()
    walked = []
    for pattern in patterns():
        if pattern.name in PUBLIC:
            continue
        arguments_ = arguments(pattern)
        url = reverse(f"{app_name}:{pattern.name}", kwargs=foreign.kwargs(pattern))
        if arguments_:
            # A route naming another district's object: not found or forbidden, reading or writing.
            for method in ("get", "post"):
                response = getattr(client, method)(url, {"year": YEAR})
                assert response.status_code in (403, 404, 405), (pattern.name, method, response.status_code)
        else:
            # A route over "my households" (list, search, exports, uploads): asked for the other
            # district's commune and household by name, it shows none of them. (Searches use a part
            # of the secret, so the search box echoing the query is not mistaken for a leak.)
            query = {"q": foreign.household.code[:-2], "commune": foreign.commune.pk, "year": YEAR}
            for params in (query, {"q": "le van"}, {}):
                response = client.get(url, params)
                assert response.status_code < 500, (pattern.name, response.status_code)
                if response.status_code == 200:
                    text = body_text(response)
                    for secret in foreign.secrets():
                        assert secret not in text, (pattern.name, params, secret)
            response = client.post(url, {"commune": foreign.commune.pk, "code": "INTRUDER", "head_name": "X"})
            assert response.status_code < 500, (pattern.name, "post", response.status_code)
        walked.append(pattern.name)
    assert foreign.snapshot() == before, "another district's data changed"
    assert not Household.objects.filter(code="INTRUDER").exists()
    assert set(walked) == {p.name for p in patterns()} - PUBLIC


def test_the_walk_is_not_vacuous_the_owner_reaches_every_object_route(districts):
    own, foreign = districts
    client = Client()
    client.force_login(own.officer)
    for pattern in patterns():
        if pattern.name in PUBLIC or not arguments(pattern):
            continue
        url = reverse(f"{app_name}:{pattern.name}", kwargs=own.kwargs(pattern))
        response = client.get(url, {"year": YEAR})
        if response.status_code == 302:
            # A redirect counts only if it leads to a page the owner reads (review_start opens the
            # review): a redirect to the login page, or onward to a refusal, would make this vacuous.
            location = response["Location"]
            assert not location.startswith(reverse("login")), (pattern.name, location)
            response = client.get(location)
        assert response.status_code in (200, 405), (pattern.name, response.status_code)
    listed = body_text(client.get(reverse("households:list")))
    assert own.household.code in listed and foreign.household.code not in listed


@pytest.mark.parametrize("role", [Role.CITY_LEADER, Role.CITY_OFFICER])
def test_city_leaders_and_the_city_officer_read_everything_and_write_nothing(districts, role):
    """The city officer approves the 2025 structure's communes; these are of the structure before."""
    own, foreign = districts
    client = Client()
    client.force_login(UserFactory(username="city-user", role=role, unit=own.district.parent))
    before = [own.snapshot(), foreign.snapshot()]
    assert client.get(reverse("households:detail", args=[foreign.household.pk])).status_code == 200
    for pattern in patterns():
        if pattern.name in PUBLIC or not arguments(pattern):
            continue
        client.post(reverse(f"{app_name}:{pattern.name}", kwargs=foreign.kwargs(pattern)), {"year": YEAR})
    assert [own.snapshot(), foreign.snapshot()] == before
