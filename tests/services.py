"""Helpers for the tests that run the portal's own processes (python -c, Celery workers) against the
real services: where the repository is, the test database's URL for a child process, waiting."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
WAIT_SECONDS = 60

# Starts the production settings in a child process (tests/settings.py is not involved).
SERVE = "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'povertyplan.settings'; django.setup()"


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    """`python -c code` in the repository, with the environment of the test run minus the settings the
    suite sets itself, plus `env`."""
    unset = ("SECRET_KEY", "DEBUG", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")  # the tests set the last
    clean = {k: v for k, v in os.environ.items() if k not in unset}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=60
    )


def database_url() -> str:
    """The test database (pytest-django's test_<name>), for a worker to use the same one."""
    from django.db import connection

    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def redis_unreachable() -> str:
    """Why the configured broker cannot serve a real worker, or "" when it can."""
    from django.conf import settings

    url = settings.CELERY_BROKER_URL
    if not url.startswith("redis://"):
        return f"CELERY_BROKER_URL is {url!r}, not Redis"
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        return f"Redis at {url} does not answer: {exc}"
    return ""


def wait_for(condition, what: str, log: Path | None = None, seconds: float = WAIT_SECONDS):
    """The first true value of `condition()` within `seconds`; else the test fails with the log's tail."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    tail = log.read_text()[-3000:] if log and log.exists() else ""
    pytest.fail(f"timed out waiting for {what}\n{tail}")
