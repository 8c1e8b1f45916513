"""Shared fixtures. Tests run against PostgreSQL when DATABASE_URL is set (CI), else SQLite."""

import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def admin_units(db):
    """Hanoi's real units, loaded from the vietnamadminunits package."""
    from django.core.management import call_command

    call_command("load_admin_units", "--province", "01", verbosity=0)


DATA_MIGRATIONS = [
    ("households.migrations.0002_poverty_standards", "install_standards"),
    ("targets.migrations.0002_plan_51", "install_plan_51"),
    ("targets.migrations.0004_plan_51_closing_and_city_plan_targets", "install"),
    ("targets.migrations.0005_draft_plan_2026_2030_to_verify", "install"),
    ("reports.migrations.0002_nightly_schedule", "create_schedule"),
    ("households.migrations.0005_clean_stale_import_jobs_schedule", "create_schedule"),
]


@pytest.fixture(autouse=True)
def reference_data(request):
    """A transactional test's flush erases what the data migrations installed (standards, Plan 51,
    the nightly schedule); put it back so that test order never matters. All three are idempotent."""
    marker = request.node.get_closest_marker("django_db")
    transactional = marker is not None and (
        marker.kwargs.get("transaction") or marker.kwargs.get("serialized_rollback")
    )
    if (
        not transactional
        and "transactional_db" not in request.fixturenames
        and "live_server" not in request.fixturenames
    ):
        return
    import importlib

    from django.apps import apps

    request.getfixturevalue("transactional_db")
    for module, function in DATA_MIGRATIONS:
        getattr(importlib.import_module(module), function)(apps, None)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path_factory):
    """Uploaded files of a test go to a temporary folder, never to var/media."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def empty_cache():
    """Cached pages are keyed by run; a rolled-back test may leave a run id that the next reuses."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def vietnamese_first():
    """Every test starts in the portal's default language: one that switched to English (a
    request with the language cookie, translation.activate) must not leak it into the next."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
