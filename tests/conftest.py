"""Shared fixtures. Tests run against PostgreSQL when DATABASE_URL is set (CI), else SQLite."""

import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def admin_units(db):
    """Hanoi's real units, loaded from the vietnamadminunits package."""
    from django.core.management import call_command

    call_command("load_admin_units", "--province", "01", verbosity=0)
