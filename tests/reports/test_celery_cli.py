"""The operators' Celery commands against a real worker (issue 13, README "Watching the workers"):
`status` and `inspect` find it, `call` sends a task it runs (its result lands in the database),
`events --dump` watches it work, `purge` empties the queue."""

import os
import subprocess
import sys
import time
import uuid

import pytest
from django_celery_results.models import TaskResult

from tests.services import ROOT, database_url, wait_for

pytestmark = pytest.mark.celery_worker


def environment() -> dict:
    from django.conf import settings

    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }


def celery(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "celery", "-A", "povertyplan", *args]
    return subprocess.run(command, cwd=ROOT, env=environment(), capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def worker(worker_services, transactional_db, tmp_path):
    name = f"cli-{uuid.uuid4().hex[:8]}@{os.uname().nodename}"
    log = tmp_path / "worker.log"
    command = [sys.executable, "-m", "celery", "-A", "povertyplan", "worker", "-P", "solo", "-E", "-n", name]
    process = subprocess.Popen(command, cwd=ROOT, env=environment(), stdout=log.open("a"), stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: name in celery("inspect", "ping", "-d", name, "--timeout", "2").stdout, "the worker", log)
        yield name
    finally:
        process.terminate()
        process.wait(20)


def test_status_inspect_call_events_and_purge_work_against_a_worker(worker):
    status = celery("status", "--timeout", "3")
    assert status.returncode == 0 and worker in status.stdout, status.stderr[-2000:]
    active = celery("inspect", "active", "-d", worker, "--timeout", "3")
    assert active.returncode == 0 and worker in active.stdout, active.stderr[-2000:]
    registered = celery("inspect", "registered", "-d", worker, "--timeout", "3")
    assert registered.returncode == 0 and "reports.nightly_recompute" in registered.stdout, registered.stderr[-2000:]

    dump = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "povertyplan", "events", "--dump"],
        cwd=ROOT,
        env=environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        time.sleep(3)  # the dump subscribes before the task is sent
        called = celery("call", "reports.fail_abandoned_runs")
        assert called.returncode == 0, called.stderr[-2000:]
        task_id = called.stdout.strip()
        wait_for(lambda: TaskResult.objects.filter(task_id=task_id, status="SUCCESS").exists(), "the task's result")
        result = TaskResult.objects.get(task_id=task_id)  # what /metrics reads its durations from
        assert result.task_name == "reports.fail_abandoned_runs" and result.date_started <= result.date_done
        time.sleep(1)
    finally:
        dump.terminate()
        events = dump.communicate(timeout=20)[0]
    assert "task succeeded" in events and task_id in events, events[-3000:]

    purged = celery("purge", "-f")
    assert purged.returncode == 0, purged.stderr[-2000:]
