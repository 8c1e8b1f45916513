"""`make run` runs with DEBUG on (scripts/run_portal.py); a wrong address there shows the portal's
own 404 page, in the site's layout with the menu, never Django's technical page that lists every
URL pattern. The API keeps its JSON 404 and a missing slash is still added first."""

import pytest
from django.test import Client

from households import accounts
from households.models import Role

pytestmark = pytest.mark.django_db

TECHNICAL = ("URLconf", "Using the URLconf", "technical_404", "Django tried these URL patterns")


@pytest.fixture
def officer(admin_units, settings):
    settings.DEBUG = True  # as under make run (pytest-django turns it off)
    user = accounts.create_user(
        username="xa-phu-cuong",
        role=Role.COMMUNE_OFFICER,
        unit=accounts.resolve_unit("09625", structure=2008),
        password=None,
    )
    client = Client()
    client.force_login(user)
    return client


def assert_site_404(response):
    body = response.content.decode()
    assert response.status_code == 404
    assert "Không tìm thấy trang" in body and "Đăng xuất" in body, body[:500]  # the page, with the menu
    assert not any(marker in body for marker in TECHNICAL), body[:500]


def test_an_address_no_route_matches_shows_the_site_s_404_with_debug_on(officer):
    assert_site_404(officer.get("/khong-co-trang-nay/"))
    assert_site_404(officer.get("/households/abc/"))


def test_a_view_s_not_found_shows_the_site_s_404_with_debug_on(officer):
    assert_site_404(officer.get("/households/987654321/"))  # get_object_or_404 in the view
    assert_site_404(officer.get("/workflow/987654321/2024/"))


def test_anonymous_visitors_get_the_page_too(admin_units, settings, client):
    settings.DEBUG = True
    response = client.get("/khong-co-trang-nay/")
    body = response.content.decode()
    assert response.status_code == 404 and "Không tìm thấy trang" in body
    assert not any(marker in body for marker in TECHNICAL)


def test_the_api_keeps_its_json_404_and_a_missing_slash_is_still_added(officer):
    api = officer.get("/api/v1/khong-co/")
    assert api.status_code == 404 and api.json()["error"]["code"] == "not_found"
    unknown_household = officer.get("/api/v1/households/987654321/")
    assert unknown_household.status_code == 404 and unknown_household.json()["error"]["code"] == "not_found"
    redirect = officer.get("/households")
    assert redirect.status_code == 301 and redirect["Location"] == "/households/"


def test_without_the_middleware_debug_would_list_the_url_patterns(officer, settings):
    """The check above is not vacuous: Django's own answer with DEBUG on is the technical page."""
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if not m.endswith("SiteNotFoundPageWhenDebugging")]
    body = officer.get("/khong-co-trang-nay/").content.decode()
    assert "URLconf" in body
