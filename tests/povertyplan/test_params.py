"""Nonsense in a query parameter or a URL answers 400 or 404, never 500; /healthz tells no secrets."""

import pytest
from django.db.utils import OperationalError
from django.test import Client

from households import accounts
from households.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator(admin_units):
    user = accounts.create_user(
        username="quantri", role=Role.ADMINISTRATOR, unit=accounts.resolve_unit("01"), password=None
    )
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


@pytest.mark.parametrize("path", ["/workflow/", "/progress/completeness/", "/progress/summary/", "/progress/"])
@pytest.mark.parametrize("year", ["-1", "0", "10000", "9" * 30, "abc", "2024.5"])
def test_a_year_out_of_range_answers_400_with_a_vietnamese_message(administrator, path, year):
    response = administrator.get(path, {"year": year})
    assert response.status_code == 400
    assert "cần một năm từ 2000 đến 2100" in response.content.decode()


def test_a_year_in_a_url_out_of_range_is_not_found(administrator):
    commune = accounts.resolve_unit("09625", structure=2008)
    assert administrator.get(f"/workflow/{commune.pk}/1999/").status_code == 404
    assert administrator.get(f"/workflow/{commune.pk}/{'9' * 30}/").status_code == 404
    assert administrator.get(f"/workflow/{commune.pk}/2024/").status_code == 200


def test_healthz_never_shows_the_database_error_text(client, monkeypatch):
    import povertyplan.urls

    class Broken:
        def __enter__(self):
            raise OperationalError('connection to server at "10.1.2.3", port 5432 failed')

        def __exit__(self, *args):
            return False

    monkeypatch.setattr(povertyplan.urls.connection, "cursor", lambda: Broken())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert "10.1.2.3" not in response.content.decode() and "5432" not in response.content.decode()


def test_pages_are_vietnamese_whatever_the_browser_asks_until_english_is_chosen(client):
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "Đăng nhập" in page.content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert "Log in" in client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()


def test_error_pages_are_in_the_site_s_layout_in_vietnamese_with_the_menu(administrator, client, admin_units):
    from households.models import Role
    from tests.factories import UserFactory

    missing = administrator.get("/khong-co-trang-nay/")
    assert missing.status_code == 404 and "Không tìm thấy trang" in missing.content.decode()
    assert "Đăng xuất" in missing.content.decode()  # the menu
    leader = UserFactory(username="lanh-dao", role=Role.CITY_LEADER, unit=accounts.resolve_unit("01"))
    client.force_login(leader)
    refused = client.get("/imports/")
    assert refused.status_code == 403 and "Không có quyền truy cập" in refused.content.decode()
