"""Browser tests: Playwright (Python) driving Debian's Chromium at /usr/bin/chromium, never a
downloaded browser (`playwright install` fails offline). pytest-django's live_server serves the
site; DJANGO_ALLOW_ASYNC_UNSAFE is set in tests/conftest.py since Playwright runs an event loop.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .pages import OFFICE, PASSWORD

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)
            if not Path(CHROMIUM).exists():
                item.add_marker(pytest.mark.skip(reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)"))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": OFFICE, "locale": "vi-VN"}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def screenshot():
    """Keep one screenshot per flow under test-artifacts/ (gitignored; CI keeps it as an artefact)."""
    ARTIFACTS.mkdir(exist_ok=True)

    def take(page, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def login(live_server):
    def as_user(page, username: str, password: str = PASSWORD):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
        assert "/accounts/login/" not in page.url, f"login failed for {username}"

    return as_user


@pytest.fixture
def city(transactional_db):
    """Hanoi's real units, the recompute tests' reviews, their progress, and a city leader
    (`lanh-dao`): the city a leader's pages are walked on. Returns the city unit."""
    from django.core.management import call_command

    from households.models import AdministrativeUnit, Role, UnitLevel
    from reports.recompute import recompute_progress
    from tests.factories import UserFactory
    from tests.snapshots import seed_reviews

    call_command("load_admin_units", "--province", "01", verbosity=0)
    seed_reviews()
    recompute_progress(requested_by="browser test")
    city = AdministrativeUnit.objects.get(level=UnitLevel.CITY)
    UserFactory(username="lanh-dao", role=Role.CITY_LEADER, unit=city)
    return city
