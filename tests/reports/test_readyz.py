"""/readyz for the operators' monitor: database, broker, workers and the age of the last full
recompute; 503 when any fails, and never an error text."""

import datetime

import pytest
from django.utils import timezone

from povertyplan import celery_app
from reports.models import RecomputeRun, RunStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def a_worker_answers(monkeypatch):
    monkeypatch.setattr(celery_app.control, "ping", lambda timeout: [{"worker@host": {"ok": "pong"}}])


def finished(hours_ago: float, year=None) -> RecomputeRun:
    at = timezone.now() - datetime.timedelta(hours=hours_ago)
    return RecomputeRun.objects.create(status=RunStatus.SUCCEEDED, finished_at=at, year=year)


def test_ready_when_every_check_passes(client, a_worker_answers):
    finished(hours_ago=3)
    body = client.get("/readyz").json()
    assert body["status"] == "ok", body
    assert body["checks"]["last_full_recompute"]["age_hours"] == 3.0 and body["checks"]["workers"]["workers"] == 1


def test_not_ready_when_the_last_full_recompute_is_older_than_26_hours(client, a_worker_answers):
    finished(hours_ago=27)
    finished(hours_ago=1, year=2025)  # a run of one year does not refresh every figure
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json()["checks"]["last_full_recompute"]["ok"] is False


def test_not_ready_without_a_worker_or_a_broker_and_no_error_text(client, monkeypatch):
    finished(hours_ago=1)
    monkeypatch.setattr(celery_app.control, "ping", lambda timeout: [])

    def refused(*args, **kwargs):
        raise ConnectionRefusedError("Error 111 connecting to 10.9.8.7:6379")

    monkeypatch.setattr(celery_app, "connection_for_write", refused)
    response = client.get("/readyz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["workers"] == {"ok": False, "workers": 0} and checks["broker"] == {"ok": False}
    assert "10.9.8.7" not in response.content.decode()
