"""The security headers of every page (issue 13): a Content-Security-Policy without 'unsafe-inline',
Referrer-Policy, Permissions-Policy and X-Content-Type-Options; no page keeps an inline script,
handler or style attribute that the policy would block."""

import re
from pathlib import Path

import pytest

from households.models import Role
from tests.factories import CommuneFactory, UserFactory

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


@pytest.mark.django_db
def test_a_page_carries_the_content_security_policy_and_the_other_security_headers(client):
    commune = CommuneFactory()
    client.force_login(UserFactory(role=Role.COMMUNE_OFFICER, unit=commune))
    response = client.get("/households/")
    assert response.status_code == 200

    policy = directives(response["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]

    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


@pytest.mark.django_db
def test_the_login_page_and_errors_carry_the_policy_too(client):
    for path, status in (("/accounts/login/", 200), ("/no-such-page/", 404)):
        response = client.get(path)
        assert response.status_code == status
        assert "'unsafe-inline'" not in response["Content-Security-Policy"]
        assert response["Permissions-Policy"]


def test_no_template_keeps_an_inline_script_handler_or_style_attribute():
    """What the policy would block in the browser, caught before it: an inline <script> (a JSON
    data block is not run, so it is allowed), an on…= handler, a style="" attribute, a <style>."""
    offenders = []
    for template in TEMPLATES.rglob("*.html"):
        text = re.sub(r"{#.*?#}", "", template.read_text())
        for match in re.finditer(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", text):
            offenders.append(f"{template.name}: {match.group(0)}")
        for pattern in (r"\son[a-z]+\s*=", r"\sstyle\s*=", r"<style"):
            offenders += [f"{template.name}: {m.group(0)}" for m in re.finditer(pattern, text)]
    assert offenders == []


@pytest.mark.django_db
def test_the_api_docs_load_their_start_up_script_from_the_portal(client):
    page = client.get("/api/v1/docs/")
    assert "'unsafe-inline'" not in page["Content-Security-Policy"]
    assert "<script>" not in page.content.decode()
    script = client.get("/api/v1/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


@pytest.mark.django_db
def test_only_the_redoc_page_allows_inline_styles_and_still_no_inline_script(client):
    policy = directives(client.get("/api/v1/redoc/")["Content-Security-Policy"])
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["script-src"] == ["'self'"]
