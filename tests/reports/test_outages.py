"""Outages of the broker and the database are ridden out: a real worker (two processes) and beat
keep running through 30 seconds without Redis, then without PostgreSQL, and the next recompute
succeeds without restarting anything. Each test starts and stops its own servers (a private
redis-server, a private PostgreSQL cluster), never the machine's."""

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.services import ROOT, wait_for

pytestmark = pytest.mark.celery_worker

OUTAGE_SECONDS = 30


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivateRedis:
    def __init__(self, folder: Path):
        if not shutil.which("redis-server"):
            pytest.skip("redis-server is not installed")
        self.port, self.folder = free_port(), folder
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        subprocess.run(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--daemonize", "yes", "--save", ""]
            + ["--appendonly", "no", "--dir", str(self.folder), "--pidfile", str(self.folder / "redis.pid")],
            check=True,
        )
        wait_for(lambda: self.ping(), "the private Redis to answer")

    def ping(self) -> bool:
        return subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True).returncode == 0

    def stop(self) -> None:
        subprocess.run(["redis-cli", "-p", str(self.port), "shutdown", "nosave"], capture_output=True)
        wait_for(lambda: not self.ping(), "the private Redis to stop")


class PrivatePostgres:
    """A throwaway cluster of the machine's PostgreSQL version (Debian's pg_createcluster)."""

    def __init__(self):
        if not shutil.which("pg_createcluster") or os.geteuid() != 0:
            pytest.skip("needs Debian's pg_createcluster, run as root")
        self.version = sorted(os.listdir("/etc/postgresql"))[-1]
        self.name, self.port = f"outage{uuid.uuid4().hex[:6]}", free_port()
        subprocess.run(
            ["pg_createcluster", self.version, self.name, "-p", str(self.port), "--", "-A", "trust"],
            check=True,
            capture_output=True,
        )
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/portal"

    def control(self, action: str) -> None:
        command = ["pg_ctlcluster", "--skip-systemctl-redirect", self.version, self.name, action]
        subprocess.run(command + (["-m", "fast"] if action == "stop" else []), check=True, capture_output=True)

    def ready(self) -> bool:
        return (
            subprocess.run(["pg_isready", "-h", "127.0.0.1", "-p", str(self.port)], capture_output=True).returncode == 0
        )

    def drop(self) -> None:
        subprocess.run(["pg_dropcluster", "--stop", self.version, self.name], capture_output=True)


class Portal:
    """manage.py, a worker of two processes and beat, against the given database and broker."""

    def __init__(self, database_url: str, broker_url: str, folder: Path):
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "DATABASE_URL": database_url,
            "CELERY_BROKER_URL": broker_url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "RECOMPUTE_HEARTBEAT_TIMEOUT": "5",
        }
        self.log = folder / "portal.log"
        self.processes: dict[str, subprocess.Popen] = {}

    def manage(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=180
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    def python(self, code: str) -> str:
        return self.manage("shell", "-v", "0", "-c", code).strip()

    def start(self) -> None:
        celery = [sys.executable, "-m", "celery", "-A", "povertyplan"]
        commands = {
            "worker": [*celery, "worker", "-c", "2", "-l", "info", "-n", f"outage-{uuid.uuid4().hex[:6]}@%h"],
            "beat": [*celery, "beat", "-l", "info", "-S", "django_celery_beat.schedulers:DatabaseScheduler"],
        }
        for name, command in commands.items():
            self.processes[name] = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=self.log.open("a"), stderr=subprocess.STDOUT
            )

    def alive(self) -> list[str]:
        return [name for name, process in self.processes.items() if process.poll() is None]

    def stop(self) -> None:
        for process in self.processes.values():
            process.terminate()
        for process in self.processes.values():
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()

    def sweep_every_two_seconds(self) -> None:
        self.python(
            "from django_celery_beat.models import IntervalSchedule, PeriodicTask;"
            "every, _ = IntervalSchedule.objects.get_or_create(every=2, period='seconds');"
            "PeriodicTask.objects.filter(task='reports.fail_abandoned_runs').update(interval=every)"
        )

    def recompute(self) -> str:
        return self.python(
            "from reports.tasks import enqueue_recompute; print(enqueue_recompute(requested_by='test').pk)"
        )

    def run_status(self, pk: str) -> str:
        return self.python(f"from reports.models import RecomputeRun; print(RecomputeRun.objects.get(pk={pk}).status)")

    def tail(self) -> str:
        return self.log.read_text()[-4000:] if self.log.exists() else ""


@pytest.fixture
def private_postgres():
    cluster = PrivatePostgres()
    try:
        cluster.control("start")
        wait_for(cluster.ready, "the private PostgreSQL to start")
        subprocess.run(
            ["psql", "-h", "127.0.0.1", "-p", str(cluster.port), "-U", "postgres", "-qc", "CREATE DATABASE portal"],
            check=True,
        )
        yield cluster
    finally:
        cluster.drop()


@pytest.fixture
def private_redis(tmp_path):
    redis = PrivateRedis(tmp_path)
    redis.start()
    yield redis
    redis.stop()


@pytest.fixture
def portal(private_postgres, private_redis, tmp_path):
    portal = Portal(private_postgres.url, private_redis.url, tmp_path)
    portal.manage("migrate", "--noinput", "-v", "0")
    portal.manage("load_admin_units", "-v", "0")
    portal.sweep_every_two_seconds()
    portal.start()
    yield portal
    portal.stop()


def test_worker_and_beat_ride_out_thirty_seconds_without_redis(portal, private_redis):
    first = portal.recompute()
    wait_for(lambda: portal.run_status(first) == "succeeded", "the first recompute", portal.log)
    # A run that must wait for another holds a countdown message in the worker when Redis stops
    # (kombu 5.7 crashed the worker on exactly that).
    portal.python(
        "from django.utils import timezone; from reports.models import RecomputeRun;"
        "RecomputeRun.objects.create(status='running', started_at=timezone.now(),"
        " heartbeat_at=timezone.now() + timezone.timedelta(seconds=20))"
    )
    waiting = portal.recompute()
    time.sleep(3)
    private_redis.stop()
    time.sleep(OUTAGE_SECONDS)
    assert portal.alive() == ["worker", "beat"], portal.tail()
    private_redis.start()  # empty: Redis kept nothing, the waiting run's message is gone
    wait_for(lambda: portal.run_status(waiting) == "succeeded", "the waiting run, sent again by the sweep", portal.log)
    after = portal.recompute()
    wait_for(lambda: portal.run_status(after) == "succeeded", "a recompute after the outage", portal.log)
    assert portal.alive() == ["worker", "beat"], portal.tail()


def test_worker_and_beat_ride_out_thirty_seconds_without_postgresql(portal, private_postgres):
    first = portal.recompute()
    wait_for(lambda: portal.run_status(first) == "succeeded", "the first recompute", portal.log)
    private_postgres.control("stop")
    time.sleep(OUTAGE_SECONDS)
    assert portal.alive() == ["worker", "beat"], portal.tail()
    private_postgres.control("start")
    wait_for(private_postgres.ready, "PostgreSQL to come back")
    sent_before = portal.log.read_text().count("Sending due task")
    after = portal.recompute()
    wait_for(lambda: portal.run_status(after) == "succeeded", "a recompute after the outage", portal.log)
    wait_for(
        lambda: portal.log.read_text().count("Sending due task") > sent_before, "beat to schedule again", portal.log
    )
    assert portal.alive() == ["worker", "beat"], portal.tail()
