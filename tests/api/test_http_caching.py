"""Every read answers ETag / 304 (gzip or not), carries its throttle budget, and only the
open-data endpoints answer a browser from another origin (CORS)."""

from __future__ import annotations

import pytest
from rest_framework.throttling import UserRateThrottle

pytestmark = pytest.mark.django_db

LISTS = [
    "/api/v1/",
    "/api/v1/units/",
    "/api/v1/indicators/",
    "/api/v1/indicators/datapackage.json",
    "/api/v1/indicators/catalogue/",
    "/api/v1/progress/",
    "/api/v1/progress/datapackage.json",
    "/api/v1/targets/",
    "/api/v1/plan/",
    "/api/v1/households/",
    "/api/v1/reviews/",
    "/api/v1/imports/",
    "/api/v1/standards/impact/",
    "/api/v1/schema/",
]


def detail_paths(client) -> list[str]:
    """One of each detail the API reads, found through its list."""
    paths = []
    for name, key in (("units", "code"), ("targets", "id"), ("plan", "id"), ("households", "id"), ("reviews", "id")):
        first = client.get(f"/api/v1/{name}/").json()["results"][0]
        paths.append(f"/api/v1/{name}/{first[key]}/")
    plan = client.get("/api/v1/plan/").json()["results"][0]["id"]
    return [*paths, f"/api/v1/plan/{plan}/closing/"]


@pytest.mark.parametrize("gzip", [False, True])
def test_every_read_endpoint_answers_304_to_its_own_etag(city, clients, gzip):
    client = clients["administrator"]
    encoding = {"HTTP_ACCEPT_ENCODING": "gzip"} if gzip else {}
    for path in LISTS + detail_paths(client):
        first = client.get(path, **encoding)
        assert first.status_code == 200 and first.has_header("ETag"), path
        again = client.get(path, HTTP_IF_NONE_MATCH=first["ETag"], **encoding)
        assert again.status_code == 304 and not again.content, path


def test_a_changed_answer_gets_a_new_etag(city, clients):
    client = clients["administrator"]
    first = client.get("/api/v1/units/", {"level": "district"})
    other = client.get("/api/v1/units/", {"level": "commune"}, HTTP_IF_NONE_MATCH=first["ETag"])
    assert other.status_code == 200 and other["ETag"] != first["ETag"]


def test_answers_carry_the_throttle_budget(city, clients, monkeypatch):
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "5/minute", "anon": "5/minute"})
    leader = clients["city_leader"]
    first, second = leader.get("/api/v1/units/"), leader.get("/api/v1/units/")
    assert (first["RateLimit-Limit"], first["RateLimit-Remaining"], second["RateLimit-Remaining"]) == ("5", "4", "3")
    assert 0 < int(second["RateLimit-Reset"]) <= 60 and second["RateLimit-Policy"] == "5;w=60"
    for _ in range(3):
        leader.get("/api/v1/units/")
    refused = leader.get("/api/v1/units/")
    assert refused.status_code == 429 and refused["RateLimit-Remaining"] == "0"


ORIGIN = {"HTTP_ORIGIN": "https://notebook.example.org"}


@pytest.mark.parametrize(
    "path", ["/api/v1/indicators/", "/api/v1/indicators/datapackage.json", "/api/v1/progress/datapackage.json"]
)
def test_open_data_endpoints_answer_any_origin_without_credentials(city, clients, path):
    response = clients["city_leader"].get(path, **ORIGIN)
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response
    assert "Link" in response["Access-Control-Expose-Headers"] and "ETag" in response["Access-Control-Expose-Headers"]
    preflight = clients["anonymous"].options(
        path, HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET", HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization", **ORIGIN
    )
    assert preflight.status_code == 200 and "authorization" in preflight["Access-Control-Allow-Headers"]


@pytest.mark.parametrize("path", ["/api/v1/households/", "/api/v1/progress/", "/api/v1/units/", "/households/"])
def test_the_rest_sends_no_cors_header(city, clients, path):
    response = clients["city_leader"].get(path, **ORIGIN)
    assert "Access-Control-Allow-Origin" not in response
