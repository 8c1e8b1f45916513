"""A small city for the API tests: two districts, four communes, reviews of 2023 and 2024 in two
of the communes, a computed snapshot, and one token per role.

Ba Đình (001) holds Phúc Xá (00001, urban) and Trúc Bạch (00004); Ba Vì (271) holds Phú Cường
(09625, rural) and Cổ Đô (09628). Units are made by hand rather than loaded from the package so
that each test stays fast.
"""

from __future__ import annotations

import datetime

import pytest
from django.core import signals
from django.core.cache import cache
from django.db import close_old_connections
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from households.accounts import issue_api_token
from households.importer import import_reviews
from households.models import AdministrativeUnit, Area, Role, Structure, UnitKind, UnitLevel, UnitYear, User
from reports.recompute import recompute_progress
from tests.builders import ABOVE, POOR_RURAL, POOR_URBAN, csv_file, review_row

LEGACY_START, LEGACY_END = datetime.date(2008, 8, 1), datetime.date(2025, 6, 30)


@pytest.fixture(autouse=True)
def generous_throttles(monkeypatch):
    """Keep the suite clear of the production rates; test_throttling sets its own."""
    cache.clear()
    rates = {"user": "100000/hour", "anon": "100000/hour"}
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", rates)
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", rates)


def _unit(code, name, level, kind, parent=None, area=""):
    legacy = level != UnitLevel.CITY
    return AdministrativeUnit.objects.create(
        code=code,
        name=name,
        level=level,
        kind=kind,
        area=area,
        parent=parent,
        structure=Structure.LEGACY,
        valid_from=LEGACY_START if legacy else None,
        valid_to=LEGACY_END if legacy else None,
    )


@pytest.fixture
def units(db):
    city = _unit("01", "Thành phố Hà Nội", UnitLevel.CITY, UnitKind.CITY)
    ba_dinh = _unit("001", "Quận Ba Đình", UnitLevel.DISTRICT, UnitKind.URBAN_DISTRICT, city, Area.URBAN)
    ba_vi = _unit("271", "Huyện Ba Vì", UnitLevel.DISTRICT, UnitKind.RURAL_DISTRICT, city, Area.RURAL)
    return {
        "01": city,
        "001": ba_dinh,
        "271": ba_vi,
        "00001": _unit("00001", "Phường Phúc Xá", UnitLevel.COMMUNE, UnitKind.WARD, ba_dinh, Area.URBAN),
        "00004": _unit("00004", "Phường Trúc Bạch", UnitLevel.COMMUNE, UnitKind.WARD, ba_dinh, Area.URBAN),
        "09625": _unit("09625", "Xã Phú Cường", UnitLevel.COMMUNE, UnitKind.COMMUNE, ba_vi, Area.RURAL),
        "09628": _unit("09628", "Xã Cổ Đô", UnitLevel.COMMUNE, UnitKind.COMMUNE, ba_vi, Area.RURAL),
    }


def city_rows() -> list[dict]:
    """Phúc Xá: 12 poor in 2023, 8 still poor in 2024 (4 escaped). Phú Cường: 3 poor then 2."""
    rows = []
    for i in range(12):
        rows.append(review_row(f"BD{i:03d}", "00001", 2023, POOR_URBAN, meritorious=1 if i == 0 else 0))
        rows.append(review_row(f"BD{i:03d}", "00001", 2024, POOR_URBAN if i < 8 else ABOVE))
    for i in range(3):
        rows.append(review_row(f"BV{i:03d}", "09625", 2023, POOR_RURAL))
        rows.append(review_row(f"BV{i:03d}", "09625", 2024, POOR_RURAL if i < 2 else ABOVE))
    return rows


@pytest.fixture
def city(units):
    import_reviews(csv_file(city_rows()), filename="reviews.csv", state="approved")
    for code in ("00001", "00004", "09625", "09628"):
        for year in (2023, 2024):
            UnitYear.objects.create(unit=units[code], year=year, total_households=1000)
    run = recompute_progress(requested_by="tests")
    return {"units": units, "run": run}


def _user(username, role, unit):
    return User.objects.create_user(username=username, password="x", role=role, unit=unit)


@pytest.fixture
def users(units):
    return {
        "commune_officer": _user("phucxa", Role.COMMUNE_OFFICER, units["00001"]),
        "district_officer": _user("badinh", Role.DISTRICT_OFFICER, units["001"]),
        "other_district_officer": _user("bavi", Role.DISTRICT_OFFICER, units["271"]),
        "city_leader": _user("leader", Role.CITY_LEADER, units["01"]),
        "city_officer": _user("so", Role.CITY_OFFICER, units["01"]),
        "administrator": _user("admin", Role.ADMINISTRATOR, units["01"]),
    }


@pytest.fixture
def clients(users):
    """An APIClient per role, authenticated by its token; "anonymous" has none."""
    result = {"anonymous": APIClient()}
    for role, user in users.items():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {issue_api_token(user)}")
        result[role] = client
    return result


@pytest.fixture
def keep_connection():
    """As Django's test client does: the WSGI handler must not close the test's connection."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)
