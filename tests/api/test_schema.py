"""The OpenAPI schema validates, the docs page works offline, and no generated request makes a 500."""

import pytest
import schemathesis
from django.core.management import call_command
from django.urls import reverse
from hypothesis import HealthCheck, Phase, given, settings
from rest_framework.test import APIClient

from households.accounts import issue_api_token
from povertyplan.wsgi import application

pytestmark = pytest.mark.django_db

CONTRACT_PATHS = [
    "/api/v1/units/",
    "/api/v1/indicators/",
    "/api/v1/progress/",
    "/api/v1/targets/",
    "/api/v1/plan/",
    "/api/v1/households/",
    "/api/v1/reviews/",
    "/api/v1/imports/",
]


def test_the_schema_validates_without_a_warning(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))


def test_the_schema_is_public_and_lists_every_contract_path():
    response = APIClient().get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert set(CONTRACT_PATHS) <= set(schema["paths"])
    assert "tokenAuth" in schema["components"]["securitySchemes"]


def test_the_docs_page_is_served_offline_from_the_vendored_assets():
    assert reverse("api-docs") == "/api/v1/docs/"
    page = APIClient().get("/api/v1/docs/").content.decode()
    assert "drf_spectacular_sidecar/swagger-ui-dist" in page
    assert "cdn." not in page and "unpkg" not in page and "jsdelivr" not in page


def test_every_operation_answers_generated_requests_without_a_server_error(city, users, keep_connection):
    """schemathesis over the whole schema, with the administrator's token (it may call everything)."""
    key = issue_api_token(users["administrator"])
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application)
    failures, operations, seen = [], 0, []
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @settings(
            max_examples=10,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
            phases=[Phase.explicit, Phase.generate],
        )
        @given(case=operation.as_strategy())
        def call(case):
            response = case.call(headers={"Authorization": f"Token {key}", "If-Match": "*"})
            seen.append(response.status_code)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} {case.query} → {response.status_code}")

        call()
    assert operations >= 15
    assert failures == []
    assert 200 in seen and len(seen) > 5 * operations  # requests really reached the views


UNKNOWN_PATHS = ["/api/v1/nothing-here/", "/api/v2/indicators/", "/api/v1/units/999999999/", "/api/v1/units/1.5e-3/"]


@pytest.mark.parametrize("path", UNKNOWN_PATHS)
def test_an_unknown_api_path_answers_404_in_the_error_shape(city, clients, path):
    from tests.api.checks import assert_error

    assert_error(clients["city_leader"].get(path), 404)


@pytest.mark.parametrize("path", UNKNOWN_PATHS)
def test_an_unknown_api_path_answers_json_even_with_debug_on_as_under_make_run(city, clients, settings, path):
    settings.DEBUG = True
    response = clients["city_leader"].get(path)
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "not_found"


def test_an_api_path_without_its_slash_is_redirected_as_before(city, clients):
    response = clients["city_leader"].get("/api/v1/units")
    assert response.status_code == 301 and response["Location"].endswith("/api/v1/units/")
