"""/metrics (issue 13): Prometheus's text for the operators' networks only (404 to anyone else,
the proxy's forwarded address included), with the request metrics and the recompute gauges."""

import datetime

import pytest
from django.utils import timezone
from django_celery_results.models import TaskResult
from prometheus_client.parser import text_string_to_metric_families

from households.models import ImportJob, JobStage, JobStatus
from reports.models import RecomputeRun, RunStatus
from tests.factories import UserFactory
from tests.services import SERVE, run_python

pytestmark = pytest.mark.django_db


def samples(response) -> dict[tuple[str, tuple], float]:
    text = response.content.decode()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_loopback_reads_the_request_metrics_and_the_recompute_gauges(client):
    now = timezone.now()
    RecomputeRun.objects.create(
        status=RunStatus.SUCCEEDED,
        started_at=now - datetime.timedelta(hours=2, seconds=30),
        finished_at=now - datetime.timedelta(hours=2),
    )
    RecomputeRun.objects.create(status=RunStatus.QUEUED)
    RecomputeRun.objects.create(status=RunStatus.RUNNING, year=2024)
    RecomputeRun.objects.create(status=RunStatus.RUNNING)
    for task_id, state, seconds in (("a", "SUCCESS", 2), ("b", "FAILURE", 4), ("c", "FAILURE", 9)):
        TaskResult.objects.create(
            task_id=task_id,
            task_name="reports.nightly_recompute",
            status=state,
            date_started=now - datetime.timedelta(seconds=seconds),
            date_done=now,
        )
    client.get("/healthz")

    response = client.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    seen = samples(response)
    age = seen[("povertyplan_recompute_last_success_age_seconds", ())]
    assert 7200 <= age < 7300
    assert seen[("povertyplan_recompute_last_success_duration_seconds", ())] == pytest.approx(30)
    assert seen[("povertyplan_recompute_runs", (("status", "queued"),))] == 1
    assert seen[("povertyplan_recompute_runs", (("status", "running"),))] == 2
    failures = (("state", "FAILURE"), ("task", "reports.nightly_recompute"))
    assert seen[("povertyplan_celery_task_results_last_day", failures)] == 2
    took = "povertyplan_celery_task_duration_seconds_last_day"
    assert seen[(took, (("stat", "mean"), ("task", "reports.nightly_recompute")))] == pytest.approx(5, abs=0.5)
    assert seen[(took, (("stat", "max"), ("task", "reports.nightly_recompute")))] == pytest.approx(9, abs=0.5)
    assert any(name == "django_http_requests_latency_seconds_by_view_method_count" for name, _ in seen)
    assert any(
        name == "django_http_requests_total_by_view_transport_method_total" and ("view", "healthz") in labels
        for name, labels in seen
    )


def test_without_a_successful_run_the_age_is_absent_and_imports_give_rows_per_second(client):
    now = timezone.now()
    ImportJob.objects.create(
        user=UserFactory(),
        filename="a.xlsx",
        file_path="a.xlsx",
        stage=JobStage.IMPORT,
        status=JobStatus.SUCCEEDED,
        rows_total=10_000,
        started_at=now - datetime.timedelta(seconds=4),
        finished_at=now,
    )
    seen = samples(client.get("/metrics"))
    assert not any(name == "povertyplan_recompute_last_success_age_seconds" for name, _ in seen)
    assert seen[("povertyplan_recompute_runs", (("status", "queued"),))] == 0
    assert seen[("povertyplan_import_last_rows_per_second", (("stage", "import"),))] == pytest.approx(2500)


def test_another_address_gets_the_ordinary_404(client):
    response = client.get("/metrics", REMOTE_ADDR="10.20.30.40")
    assert response.status_code == 404
    assert "povertyplan_" not in response.content.decode()


def test_an_operator_network_is_let_in(client, settings):
    settings.METRICS_ALLOWED_NETWORKS = ["10.20.0.0/16"]
    assert client.get("/metrics", REMOTE_ADDR="10.20.30.40").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 404
    assert client.get("/metrics", REMOTE_ADDR="not-an-address").status_code == 404


def test_behind_the_proxy_the_forwarded_address_is_checked_not_the_proxy_s(client, settings):
    settings.TRUSTED_PROXY_HEADER = True
    outside = client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert outside.status_code == 404
    # A client cannot claim loopback: the proxy's own entry is the last one.
    spoofed = client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="127.0.0.1, 203.0.113.9")
    assert spoofed.status_code == 404
    inside = client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="127.0.0.1")
    assert inside.status_code == 200


def test_a_wrong_network_in_the_setting_stops_the_portal_at_start():
    result = run_python(
        SERVE,
        DEBUG="true",
        METRICS_ALLOWED_NETWORKS="10.0.0.0/8,ten-dot-something",
    )
    assert result.returncode != 0 and "METRICS_ALLOWED_NETWORKS" in result.stderr


def test_a_probe_on_the_host_reads_the_metrics_without_the_https_redirect(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/metrics").status_code == 200
    assert client.get("/households/").status_code == 301  # the rest of the portal still redirects


def test_without_the_database_the_request_metrics_are_still_served(client, monkeypatch):
    from django.db import OperationalError

    from reports import metrics

    def down(self):
        raise OperationalError("connection refused")

    monkeypatch.setattr(metrics.PortalCollector, "_families", down)
    response = client.get("/metrics")
    assert response.status_code == 200
    seen = samples(response)
    assert seen[("povertyplan_portal_metrics_up", ())] == 0
    assert any(name.startswith("django_http_") for name, _ in seen)
