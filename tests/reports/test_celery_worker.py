"""Real Celery workers, as subprocesses: against Redis and PostgreSQL (CI), and the embedded default
of `make run` (SQLite and the filesystem broker, through scripts/run_portal.py)."""

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django_celery_results.models import TaskResult

from households.models import PovertyClass, Review, ReviewState
from reports import recompute, tasks
from reports.models import IndicatorValue, RecomputeRun, RunStatus
from reports.queries import snapshot
from tests.services import ROOT, database_url, wait_for
from tests.snapshots import reference_values, seed_reviews, values_of

pytestmark = pytest.mark.celery_worker


def start_worker(log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }
    command = [sys.executable, "-m", "celery", "-A", "povertyplan", "worker", "-P", "solo", "-l", "info"]
    command += ["-n", f"test-{uuid.uuid4().hex[:8]}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("a"), stderr=subprocess.STDOUT)


def run_status(pk: int) -> str:
    return RecomputeRun.objects.filter(pk=pk).values_list("status", flat=True).first()


def test_a_real_worker_recomputes_and_a_killed_one_leaves_the_previous_snapshot(
    worker_services, transactional_db, admin_units, tmp_path, settings
):
    seed_reviews()
    log = tmp_path / "worker.log"
    worker = start_worker(log)
    try:
        # A run queued from Django is fanned out and swapped in by the worker.
        first = tasks.enqueue_recompute(requested_by="test")
        wait_for(lambda: run_status(first.pk) in (RunStatus.SUCCEEDED, RunStatus.FAILED), "the first run", log)
        first.refresh_from_db()
        assert first.status == RunStatus.SUCCEEDED, first.error
        assert first.is_current and values_of(first) == reference_values()
        served = values_of(first)
        # Each shard's task result names its run, its shard and the worker that ran it.
        # (Only this run's: a shard left unacknowledged by a worker killed in an earlier run is
        # restored by Redis to the next worker, which refuses it for its dead run.)
        results = TaskResult.objects.filter(task_name="reports.recompute_shard")
        shards = [result for result in results if json.loads(result.task_args).startswith(f"({first.pk}, ")]
        assert len(shards) == len(recompute.plan_shards(recompute.plan_run(year=None, computed_at=first.started_at)))
        assert {json.loads(result.task_args) for result in shards} >= {f"({first.pk}, '2008:1')"}
        assert all(result.worker.startswith("test-") and "@" in result.worker for result in shards)

        # The next run blocks on a table lock mid-way; the worker is killed there.
        Review.objects.filter(year=2024).update(state=ReviewState.APPROVED, poverty_class=PovertyClass.POOR)
        import psycopg2

        blocker = psycopg2.connect(database_url())
        blocker.cursor().execute("BEGIN; LOCK TABLE reports_indicatorvalue IN SHARE ROW EXCLUSIVE MODE")
        try:
            second = tasks.enqueue_recompute(requested_by="test")
            wait_for(lambda: run_status(second.pk) == RunStatus.RUNNING, "the second run to start", log)
            with connection.cursor() as cursor:

                def worker_blocked():
                    cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
                    return cursor.fetchone()[0]

                wait_for(worker_blocked, "the worker to block on the lock", log)
            assert RecomputeRun.objects.current() == first and values_of(first) == served
            worker.send_signal(signal.SIGKILL)
            worker.wait(10)
        finally:
            blocker.rollback()
            blocker.close()
        # The worker is gone (waited for): nobody is left to say the run died, and the sweep leaves
        # it running while its last heartbeat is recent.
        assert tasks.fail_abandoned_runs() == 0
        assert run_status(second.pk) == RunStatus.RUNNING
        assert RecomputeRun.objects.current() == first and values_of(first) == served
        assert snapshot(unit="01", year=2024).get().run_id == first.pk

        # The sweep (beat, every 10 minutes) marks it failed once past the timeout.
        settings.RECOMPUTE_TIMEOUT = 0
        assert tasks.fail_abandoned_runs() == 1
        second.refresh_from_db()
        assert second.status == RunStatus.FAILED and "Bị bỏ dở" in second.error and not second.is_current

        # A new worker serves the next run, with the new figures; the dead run's rows are gone.
        settings.RECOMPUTE_TIMEOUT = 900
        worker = start_worker(log)
        third = tasks.enqueue_recompute(requested_by="test")
        wait_for(lambda: run_status(third.pk) in (RunStatus.SUCCEEDED, RunStatus.FAILED), "the third run", log)
        third.refresh_from_db()
        assert third.status == RunStatus.SUCCEEDED and third.is_current, third.error
        assert values_of(third) == reference_values()
        assert not IndicatorValue.objects.filter(run=second).exists()
        poor_2024 = Review.objects.filter(year=2024).count()
        assert snapshot(unit="01", year=2024).get().poor == poor_2024
    finally:
        if worker.poll() is None:
            worker.terminate()
            worker.wait(15)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_make_run_serves_the_site_and_its_worker_runs_queued_tasks(tmp_path):
    """scripts/run_portal.py on the embedded default: SQLite and kombu's filesystem broker."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL", "SECRET_KEY")}
    env.update(
        {"POVERTYPLAN_VAR_DIR": str(tmp_path), "DEBUG": "true", "DJANGO_SETTINGS_MODULE": "povertyplan.settings"}
    )

    def manage(*args):
        subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True)

    manage("migrate", "--noinput")
    manage("load_admin_units", "--province", "01")
    port = free_port()
    log = tmp_path / "portal.log"
    portal = subprocess.Popen(
        [sys.executable, "scripts/run_portal.py", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    try:

        def healthy():
            try:
                return urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).status == 200
            except OSError:
                return False

        wait_for(healthy, "the web server", log, seconds=30)
        manage("shell", "-c", "from reports.tasks import enqueue_recompute; enqueue_recompute(requested_by='make run')")

        def run_done():
            with sqlite3.connect(tmp_path / "db.sqlite3") as db:
                row = db.execute("SELECT status, error FROM reports_recomputerun").fetchone()
            return row if row and row[0] in ("succeeded", "failed") else None

        assert wait_for(run_done, "the worker to run the recompute", log, seconds=30) == ("succeeded", "")
        assert "[run_portal] http://127.0.0.1" in log.read_text()
    finally:
        portal.send_signal(signal.SIGINT)
        portal.wait(20)
    assert portal.returncode == 0
    text = log.read_text()
    assert "stopping web, worker and beat" in text and "did not stop" not in text


SAVES = """
from decimal import Decimal
from households import services
from households.models import Household, Role, User
user = User.objects.filter(role=Role.ADMINISTRATOR).first() or User.objects.create_superuser("quantri-thu", password=None)
saved = 0
for household in Household.objects.order_by("pk")[:40]:
    data = services.ReviewInput(income_per_capita=Decimal(1_000_000 + saved), b1_score=None, deprivations=(True,) * 3 + (False,) * 9)
    current = household.reviews.filter(year=2024).first()
    services.save_review(user=user, household=household, year=2024, data=data, version=services.review_version(current))
    saved += 1
print("saved", saved)
"""


def test_on_the_embedded_default_saves_and_the_workers_recompute_run_together_without_locking(tmp_path):
    """SQLite, the filesystem broker and a worker of two processes: an officer's saves while the
    recompute's shards write never answer "database is locked" (WAL, immediate transactions)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL", "SECRET_KEY")}
    env.update(
        {"POVERTYPLAN_VAR_DIR": str(tmp_path), "DEBUG": "true", "DJANGO_SETTINGS_MODULE": "povertyplan.settings"}
    )

    def manage(*args) -> str:
        done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    manage("migrate", "--noinput")
    manage("load_admin_units", "--province", "01")
    manage("seed_demo", "--households", "3000")
    log = tmp_path / "portal.log"
    portal = subprocess.Popen(
        [sys.executable, "scripts/run_portal.py", "--port", str(free_port()), "--no-beat"],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for(lambda: "ready" in log.read_text(), "the worker", log, seconds=60)
        manage("shell", "-c", "from reports.tasks import enqueue_recompute; enqueue_recompute(requested_by='t')")
        saves = manage("shell", "-v", "0", "-c", SAVES)  # while the shards run
        assert "saved 40" in saves

        def run_done():
            with sqlite3.connect(tmp_path / "db.sqlite3") as db:
                row = db.execute("SELECT status, error FROM reports_recomputerun ORDER BY id DESC").fetchone()
            return row if row and row[0] in ("succeeded", "failed") else None

        assert wait_for(run_done, "the recompute", log, seconds=120) == ("succeeded", "")
    finally:
        portal.send_signal(signal.SIGINT)
        portal.wait(30)
    assert "database is locked" not in log.read_text()
