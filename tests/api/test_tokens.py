"""Tokens: made by create_api_token (or the admin), revocable; throttled per token."""

import io

import pytest
from django.core.management import CommandError, call_command
from knox.models import AuthToken
from rest_framework.test import APIClient
from rest_framework.throttling import UserRateThrottle

from tests.api.checks import assert_error

pytestmark = pytest.mark.django_db


def _token(username, *args) -> str:
    out = io.StringIO()
    call_command("create_api_token", username, *args, stdout=out)
    return out.getvalue().strip()


def _client(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_create_api_token_prints_a_working_token_and_revoke_removes_it(city, users):
    key = _token("leader")
    stored = AuthToken.objects.get(user=users["city_leader"])
    assert key not in (stored.digest, stored.token_key) and len(key) == 64  # only a digest is kept
    assert _client(key).get("/api/v1/indicators/").status_code == 200
    _token("leader", "--revoke")
    assert not AuthToken.objects.filter(user=users["city_leader"]).exists()
    assert_error(_client(key).get("/api/v1/indicators/"), 401, "authentication_failed")


def test_a_new_token_replaces_the_old_one(city, users):
    first, second = _token("badinh"), _token("badinh")
    assert first != second
    assert _client(first).get("/api/v1/units/").status_code == 401
    assert _client(second).get("/api/v1/units/").status_code == 200


def test_an_unknown_user_is_refused(db):
    with pytest.raises(CommandError):
        _token("nobody")


def test_an_inactive_users_token_no_longer_works(city, users):
    key = _token("phucxa")
    users["commune_officer"].is_active = False
    users["commune_officer"].save()
    assert _client(key).get("/api/v1/units/").status_code == 401


def test_requests_are_throttled_per_token_with_the_error_shape(city, clients, monkeypatch):
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "3/minute", "anon": "3/minute"})
    leader, officer = clients["city_leader"], clients["commune_officer"]
    for _ in range(3):
        assert leader.get("/api/v1/units/").status_code == 200
    error = assert_error(leader.get("/api/v1/units/"), 429, "throttled")
    assert error["details"][0]["wait"] > 0
    assert officer.get("/api/v1/units/").status_code == 200  # another token has its own budget


def test_the_admin_never_shows_a_token(city, users, client):
    from django.urls import reverse

    from households.models import User

    key = _token("leader")
    client.force_login(User.objects.create_superuser("root", password=None))
    page = client.get(reverse("admin:knox_authtoken_changelist")).content.decode()
    assert "leader" in page and key not in page
    detail = client.get(reverse("admin:knox_authtoken_change", args=[AuthToken.objects.get().pk])).content.decode()
    assert key not in detail
