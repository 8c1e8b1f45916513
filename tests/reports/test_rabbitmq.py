"""RabbitMQ works as the broker as well as Redis (issue 13): a real worker of two processes takes
the recompute over AMQP, the result backend staying the database. Skipped where RabbitMQ does not
answer on 127.0.0.1:5672."""

import os
import socket
import subprocess
import sys
import uuid

import pytest
from django.db import connection

from reports.models import RecomputeRun, RunStatus
from tests.services import ROOT, database_url, wait_for
from tests.snapshots import reference_values, seed_reviews, values_of

pytestmark = pytest.mark.celery_worker

AMQP = os.environ.get("TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//")


def rabbitmq_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5672), timeout=2):
            return True
    except OSError:
        return False


def test_a_worker_over_rabbitmq_runs_the_recompute(transactional_db, admin_units, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the worker shares the test database: needs PostgreSQL")
    if not rabbitmq_answers():
        pytest.skip("RabbitMQ does not answer on 127.0.0.1:5672")
    seed_reviews()
    queue = f"test-{uuid.uuid4().hex[:8]}"  # a queue of its own on the shared broker
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": AMQP,
        "CELERY_TASK_DEFAULT_QUEUE": queue,
    }
    log = tmp_path / "worker.log"
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "povertyplan", "worker", "-c", "2", "-Q", queue, "-l", "info"]
        + ["-n", f"{queue}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for(lambda: "ready" in log.read_text(), "the worker to connect to RabbitMQ", log)
        code = "from reports.tasks import enqueue_recompute; print(enqueue_recompute(requested_by='amqp').pk)"
        done = subprocess.run(
            [sys.executable, "manage.py", "shell", "-v", "0", "-c", code],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        pk = int(done.stdout.strip().splitlines()[-1])

        def finished():
            status = RecomputeRun.objects.filter(pk=pk).values_list("status", flat=True).first()
            return status in (RunStatus.SUCCEEDED, RunStatus.FAILED)

        wait_for(finished, "the recompute over RabbitMQ", log)
        run = RecomputeRun.objects.get(pk=pk)
        assert run.status == RunStatus.SUCCEEDED, run.error
        assert values_of(run) == reference_values()
        assert "amqp://" in log.read_text()
    finally:
        worker.terminate()
        worker.wait(20)
