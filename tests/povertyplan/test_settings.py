"""The settings module's promises (issue 2): production refuses to start without a secret key;
a developer's manage.py needs nothing set."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(code: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG", "DJANGO_SETTINGS_MODULE")}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=60
    )


SERVE = "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'povertyplan.settings'; django.setup()"


def test_the_portal_refuses_to_start_without_a_secret_key_when_debug_is_off():
    result = run(SERVE)
    assert result.returncode != 0 and "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_the_portal_starts_with_a_secret_key_or_in_debug():
    assert run(SERVE, SECRET_KEY="a-real-secret-key-of-the-deployment").returncode == 0
    assert run(SERVE, DEBUG="true").returncode == 0


def test_a_developer_s_manage_py_runs_with_nothing_set_and_production_s_keeps_debug_off():
    settings = "from django.conf import settings; print(settings.DEBUG)"
    developer = run(f"import sys; sys.argv = ['manage.py', 'shell', '-c', {settings!r}]; import manage; manage.main()")
    assert developer.returncode == 0 and developer.stdout.strip().endswith("True"), developer.stderr
    production = run(
        f"import sys; sys.argv = ['manage.py', 'shell', '-c', {settings!r}]; import manage; manage.main()",
        SECRET_KEY="a-real-secret-key-of-the-deployment",
    )
    assert production.returncode == 0 and production.stdout.strip().endswith("False"), production.stderr
