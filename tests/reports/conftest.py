"""Fixtures of the reports tests."""

import pytest
from django.db import connection

from povertyplan import celery_app
from tests.services import redis_unreachable


@pytest.fixture
def worker_services():
    """PostgreSQL and Redis for a real Celery worker, or the test is skipped; the queue emptied."""
    if connection.vendor != "postgresql":
        pytest.skip("needs DATABASE_URL pointing at PostgreSQL (the worker shares the test database)")
    reason = redis_unreachable()
    if reason:
        pytest.skip(reason)
    celery_app.control.purge()  # leftovers of an earlier, interrupted run
