"""The settings module's promises (issue 2): production refuses to start without a secret key;
a developer's manage.py needs nothing set."""

from tests.services import SERVE, run_python


def test_the_portal_refuses_to_start_without_a_secret_key_when_debug_is_off():
    result = run_python(SERVE)
    assert result.returncode != 0 and "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_the_portal_starts_with_a_secret_key_or_in_debug():
    assert run_python(SERVE, SECRET_KEY="a-real-secret-key-of-the-deployment").returncode == 0
    assert run_python(SERVE, DEBUG="true").returncode == 0


def test_a_developer_s_manage_py_runs_with_nothing_set_and_production_s_keeps_debug_off():
    settings = "from django.conf import settings; print(settings.DEBUG)"
    developer = run_python(
        f"import sys; sys.argv = ['manage.py', 'shell', '-c', {settings!r}]; import manage; manage.main()"
    )
    assert developer.returncode == 0 and developer.stdout.strip().endswith("True"), developer.stderr
    production = run_python(
        f"import sys; sys.argv = ['manage.py', 'shell', '-c', {settings!r}]; import manage; manage.main()",
        SECRET_KEY="a-real-secret-key-of-the-deployment",
    )
    assert production.returncode == 0 and production.stdout.strip().endswith("False"), production.stderr


DEPLOY_CHECK = (
    "import sys; sys.argv = ['manage.py', 'check', '--deploy', '--fail-level', 'WARNING']; import manage; manage.main()"
)
PRODUCTION_KEY = "k3y-of-the-deployment-" + "x7Qm9vLr2PzT5wYb8NcJ4hKd6FgS1aEu0"


def test_the_deploy_check_of_the_production_settings_reports_no_warning():
    result = run_python(DEPLOY_CHECK, SECRET_KEY=PRODUCTION_KEY, ALLOWED_HOSTS="giamngheo.hanoi.gov.vn")
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_the_deploy_check_never_checks_a_debug_site_when_the_secret_is_missing():
    result = run_python(DEPLOY_CHECK, ALLOWED_HOSTS="giamngheo.hanoi.gov.vn")
    assert result.returncode != 0 and "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_production_cookies_are_secure_and_sessions_end_with_the_browser():
    code = (
        SERVE + "; from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, "
        "s.SESSION_EXPIRE_AT_BROWSER_CLOSE, s.SECURE_HSTS_SECONDS > 0)"
    )
    assert run_python(code, SECRET_KEY=PRODUCTION_KEY).stdout.split() == ["True"] * 5
    assert run_python(code, DEBUG="true").stdout.split() == ["False", "False", "False", "True", "False"]
