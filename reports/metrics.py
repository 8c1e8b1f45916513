"""/metrics: Prometheus's view of the portal, for the operators' network only.

Requests (counts, latency by view, exceptions) are counted in each web process by
django-prometheus's middleware. What the workers did is read from the database at scrape time
(PortalCollector): the age of the last successful full recompute (the nightly run), recompute
runs queued and running, the last run's duration, the Celery task results of the last day by
task and state (django-celery-results), and the last imports' rows per second. No household
data, no user names: counts and seconds.

The page answers only to addresses in METRICS_ALLOWED_NETWORKS (loopback by default; behind the
proxy, with TRUSTED_PROXY_HEADER, the address nginx saw); anyone else gets the portal's ordinary
404, as if there were nothing here.
"""

from __future__ import annotations

import ipaddress
import logging
import os
from datetime import timedelta

import prometheus_client
from django.conf import settings
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Max
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from households.accounts import client_address

logger = logging.getLogger(__name__)

TASK_WINDOW = timedelta(hours=24)


def allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """settings.METRICS_ALLOWED_NETWORKS, checked by the settings at start-up (a wrong entry stops
    the portal rather than silently opening or closing the page)."""
    return [ipaddress.ip_network(entry, strict=False) for entry in settings.METRICS_ALLOWED_NETWORKS]


def is_allowed(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in allowed_networks())


class PortalCollector:
    """Gauges read from the database when Prometheus scrapes (a few indexed queries). Without the
    database the request metrics are still served, with povertyplan_portal_metrics_up 0."""

    def collect(self):
        try:
            families = list(self._families())
        except Exception:  # noqa: BLE001 - any database failure: say so, keep the rest of the page
            logger.exception("metrics: the database does not answer")
            families = []
        up = GaugeMetricFamily("povertyplan_portal_metrics_up", "1 when the portal's gauges below could be read.")
        up.add_metric([], 1 if families else 0)
        yield from families
        yield up

    def _families(self):
        from django_celery_results.models import TaskResult

        from households.models import ImportJob, JobStatus
        from reports.models import RecomputeRun, RunStatus

        now = timezone.now()
        last = (
            RecomputeRun.objects.filter(status=RunStatus.SUCCEEDED, year__isnull=True)
            .order_by("-finished_at")
            .values("started_at", "finished_at")
            .first()
        )
        age = GaugeMetricFamily(
            "povertyplan_recompute_last_success_age_seconds",
            "Seconds since the last successful full recompute (the nightly run) finished; absent if none.",
        )
        duration = GaugeMetricFamily(
            "povertyplan_recompute_last_success_duration_seconds", "How long the last successful full recompute took."
        )
        if last and last["finished_at"]:
            age.add_metric([], (now - last["finished_at"]).total_seconds())
            if last["started_at"]:
                duration.add_metric([], (last["finished_at"] - last["started_at"]).total_seconds())
        yield age
        yield duration

        runs = GaugeMetricFamily(
            "povertyplan_recompute_runs", "Recompute runs queued or running now.", labels=["status"]
        )
        counts = dict(
            RecomputeRun.objects.filter(status__in=[RunStatus.QUEUED, RunStatus.RUNNING])
            .values_list("status")
            .annotate(n=Count("pk"))
        )
        for status in (RunStatus.QUEUED, RunStatus.RUNNING):
            runs.add_metric([status.value], counts.get(status.value, 0))
        yield runs

        tasks = GaugeMetricFamily(
            "povertyplan_celery_task_results_last_day",
            "Celery task results stored in the last 24 hours, by task and state (FAILURE: failures).",
            labels=["task", "state"],
        )
        rows = (
            TaskResult.objects.filter(date_done__gte=now - TASK_WINDOW)
            .values_list("task_name", "status")
            .annotate(n=Count("pk"))
        )
        for task, state, n in rows:
            tasks.add_metric([task or "", state], n)
        yield tasks

        durations = GaugeMetricFamily(
            "povertyplan_celery_task_duration_seconds_last_day",
            "Mean and longest run time of the Celery tasks that finished in the last 24 hours, by task.",
            labels=["task", "stat"],
        )
        took = ExpressionWrapper(F("date_done") - F("date_started"), output_field=DurationField())
        timed = (
            TaskResult.objects.filter(date_done__gte=now - TASK_WINDOW, date_started__isnull=False)
            .values_list("task_name")
            .annotate(mean=Avg(took), longest=Max(took))
        )
        for task, mean, longest in timed:
            durations.add_metric([task or "", "mean"], mean.total_seconds())
            durations.add_metric([task or "", "max"], longest.total_seconds())
        yield durations

        imports = GaugeMetricFamily(
            "povertyplan_import_last_rows_per_second",
            "Rows per second of the last successful background upload job, by stage (preview, import).",
            labels=["stage"],
        )
        seen = set()
        jobs = ImportJob.objects.filter(status=JobStatus.SUCCEEDED, started_at__isnull=False, finished_at__isnull=False)
        for stage, rows_total, started, finished in jobs.order_by("-finished_at").values_list(
            "stage", "rows_total", "started_at", "finished_at"
        )[:20]:
            seconds = (finished - started).total_seconds()
            if stage in seen or seconds <= 0:
                continue
            seen.add(stage)
            imports.add_metric([stage], rows_total / seconds)
        yield imports


PORTAL = prometheus_client.CollectorRegistry(auto_describe=False)
PORTAL.register(PortalCollector())


def process_registry() -> prometheus_client.CollectorRegistry:
    """The web process's own metrics, or, with several gunicorn workers and
    PROMETHEUS_MULTIPROC_DIR set, every worker's merged."""
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        registry = prometheus_client.CollectorRegistry()
        MultiProcessCollector(registry)
        return registry
    return prometheus_client.REGISTRY


def metrics(request: HttpRequest) -> HttpResponse:
    if not is_allowed(client_address(request)):
        raise Http404
    body = prometheus_client.generate_latest(process_registry()) + prometheus_client.generate_latest(PORTAL)
    return HttpResponse(body, content_type=prometheus_client.CONTENT_TYPE_LATEST)
