"""Servers a test starts and stops itself, never the machine's: a private redis-server, a private
PostgreSQL cluster, and the portal's own processes (worker, beat, web) against them. Used by the
outage tests (tests/reports/test_outages.py) and the two-machine test (test_two_machines.py)."""

import os
import shutil
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.services import ROOT, wait_for


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivateRedis:
    """A throwaway redis-server listening on `hosts` (the first is the one its URL names)."""

    def __init__(self, folder: Path, hosts: tuple[str, ...] = ("127.0.0.1",)):
        if not shutil.which("redis-server"):
            pytest.skip("redis-server is not installed")
        self.port, self.folder, self.hosts = free_port(), folder, hosts
        self.url = self.url_at(hosts[0])

    def url_at(self, host: str) -> str:
        return f"redis://{host}:{self.port}/0"

    def start(self) -> None:
        subprocess.run(
            ["redis-server", "--port", str(self.port), "--bind", *self.hosts, "--daemonize", "yes", "--save", ""]
            + ["--appendonly", "no", "--dir", str(self.folder), "--pidfile", str(self.folder / "redis.pid")]
            # Beyond the loopback, protected mode refuses every client without a password.
            + ([] if self.hosts == ("127.0.0.1",) else ["--protected-mode", "no"]),
            check=True,
        )
        wait_for(lambda: self.ping(), "the private Redis to answer")

    def cli(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["redis-cli", "-h", self.hosts[0], "-p", str(self.port), *args], capture_output=True)

    def ping(self) -> bool:
        return self.cli("ping").returncode == 0

    def stop(self) -> None:
        self.cli("shutdown", "nosave")
        wait_for(lambda: not self.ping(), "the private Redis to stop")


class PrivatePostgres:
    """A throwaway cluster of the machine's PostgreSQL version (Debian's pg_createcluster),
    listening on `hosts` (the first is the one its URL names) and trusting `clients` (a subnet)."""

    def __init__(self, hosts: tuple[str, ...] = ("127.0.0.1",), clients: str = ""):
        if not shutil.which("pg_createcluster") or os.geteuid() != 0:
            pytest.skip("needs Debian's pg_createcluster, run as root")
        self.version = sorted(os.listdir("/etc/postgresql"))[-1]
        self.name, self.port, self.hosts = f"outage{uuid.uuid4().hex[:6]}", free_port(), hosts
        subprocess.run(
            ["pg_createcluster", self.version, self.name, "-p", str(self.port), "--", "-A", "trust"],
            check=True,
            capture_output=True,
        )
        folder = Path("/etc/postgresql", self.version, self.name)
        with (folder / "postgresql.conf").open("a") as conf:  # the last setting wins
            conf.write(f"listen_addresses = '{','.join(hosts)}'\n")
        if clients:
            with (folder / "pg_hba.conf").open("a") as hba:
                hba.write(f"host all all {clients} trust\n")
        self.url = self.url_at(hosts[0])

    def url_at(self, host: str) -> str:
        return f"postgres://postgres@{host}:{self.port}/portal"

    def control(self, action: str) -> None:
        command = ["pg_ctlcluster", "--skip-systemctl-redirect", self.version, self.name, action]
        subprocess.run(command + (["-m", "fast"] if action == "stop" else []), check=True, capture_output=True)

    def ready(self) -> bool:
        return (
            subprocess.run(["pg_isready", "-h", self.hosts[0], "-p", str(self.port)], capture_output=True).returncode
            == 0
        )

    def start_with_database(self) -> None:
        """Start the cluster and create the portal's empty database."""
        self.control("start")
        wait_for(self.ready, "the private PostgreSQL to start")
        subprocess.run(
            ["psql", "-h", self.hosts[0], "-p", str(self.port), "-U", "postgres", "-qc", "CREATE DATABASE portal"],
            check=True,
        )

    def drop(self) -> None:
        subprocess.run(["pg_dropcluster", "--stop", self.version, self.name], capture_output=True)


class Portal:
    """manage.py, a worker of two processes and beat, against the given database and broker; each
    process started through `machine` (a command prefix, e.g. `ip netns exec NAME`) if given."""

    def __init__(self, database_url: str, broker_url: str, folder: Path, machine: tuple[str, ...] = ()):
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "DATABASE_URL": database_url,
            "CELERY_BROKER_URL": broker_url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "RECOMPUTE_HEARTBEAT_TIMEOUT": "5",
        }
        self.log = folder / "portal.log"
        self.machine = machine
        self.processes: dict[str, subprocess.Popen] = {}

    def manage(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=180
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    def python(self, code: str) -> str:
        return self.manage("shell", "-v", "0", "-c", code).strip()

    def start(self, *names: str, concurrency: int = 2, bind: str = "127.0.0.1:8000") -> None:
        """Start the worker (`concurrency` processes, named after the host) and beat, or only those
        named; "web" is gunicorn on `bind`."""
        celery = [sys.executable, "-m", "celery", "-A", "povertyplan"]
        worker_name = f"portal-{uuid.uuid4().hex[:6]}@%h"
        commands = {
            "worker": [*celery, "worker", "-c", str(concurrency), "-l", "info", "-n", worker_name],
            "beat": [*celery, "beat", "-l", "info", "-S", "django_celery_beat.schedulers:DatabaseScheduler"],
            "web": [sys.executable, "-m", "gunicorn", "povertyplan.wsgi", "--bind", bind, "--workers", "1"],
        }
        for name in names or ("worker", "beat"):
            self.processes[name] = subprocess.Popen(
                [*self.machine, *commands[name]],
                cwd=ROOT,
                env=self.env,
                stdout=self.log.open("a"),
                stderr=subprocess.STDOUT,
            )

    def alive(self) -> list[str]:
        return [name for name, process in self.processes.items() if process.poll() is None]

    def terminate(self) -> None:
        """Ask every process to stop (a worker takes a few seconds): `stop` then waits for them."""
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()

    def stop(self) -> None:
        self.terminate()
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
