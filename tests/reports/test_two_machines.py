"""The nightly recompute fanned out over two machines: two Celery workers and the web (gunicorn),
each in its own Linux network namespace (`ip netns`: its own loopback, its own address on a veth
link to the root namespace, its own host name), sharing a private PostgreSQL cluster and a
private redis-server that listen only on the root ends of the links. The nightly task is sent as
beat sends it; the shards' task results (django-celery-results) name the worker that ran each,
both machines must have run some, the snapshot must equal `recompute_progress`'s on the same
data, and the web's /readyz sees both workers and the fresh run.

Skipped where network namespaces cannot be made (not root, no `ip`, `ip netns add` refused).
Everything it makes (namespaces, links, the cluster, Redis, the workers) is removed at the end,
failed or not.
"""

import json
import os
import random
import shutil
import subprocess
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass

import pytest

from tests.private_services import Portal, PrivatePostgres, PrivateRedis
from tests.services import wait_for

pytestmark = pytest.mark.celery_worker

HOUSEHOLDS = 1000  # a small city (seed_demo's floor is 500): every shard still has reviews to count
ROLES = ("web", "worker-a", "worker-b")  # one machine each
WEB_PORT = 8000  # free on the web's machine: its network is its own


def ip(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["ip", *args], capture_output=True, text=True, check=check)


def namespaces_unavailable() -> str:
    if os.geteuid() != 0:
        return "network namespaces need root (ip netns add)"
    for program in ("ip", "unshare", "redis-server", "redis-cli", "pg_createcluster"):
        if not shutil.which(program):
            return f"{program} is not installed"
    return ""


def free_subnet() -> str:
    """The first three octets of a 10.x.y.0/24 that no interface or route of the machine uses."""
    used = ip("-o", "-4", "addr").stdout + ip("-4", "route").stdout
    for _ in range(100):
        prefix = f"10.{random.randint(100, 250)}.{random.randint(0, 255)}"
        if f"{prefix}." not in used:
            return prefix
    pytest.skip("no free 10.x.y.0/24 for the test's links")


@dataclass(frozen=True)
class Machine:
    """A network namespace linked to the root namespace by a veth pair: `host` is the root's end
    (where the shared services listen), `address` the namespace's own."""

    namespace: str
    hostname: str
    host: str
    address: str

    @property
    def prefix(self) -> tuple[str, ...]:
        """Run a command on this machine: in its namespace, under its own host name (a UTS namespace)."""
        script = f'hostname {self.hostname} && exec "$@"'
        return ("ip", "netns", "exec", self.namespace, "unshare", "--uts", "sh", "-c", script, "sh")

    def run(self, *command: str) -> subprocess.CompletedProcess:
        return subprocess.run([*self.prefix, *command], capture_output=True, text=True, timeout=30)


@pytest.fixture
def machines():
    reason = namespaces_unavailable()
    if reason:
        pytest.skip(reason)
    token, prefix = uuid.uuid4().hex[:6], free_subnet()
    made: list[Machine] = []
    try:
        for index, role in enumerate(ROLES):
            name = f"pp{token}{index}"  # the links are name+"r" (root end) and name+"n": 10 characters
            added = ip("netns", "add", name, check=False)
            if added.returncode:
                pytest.skip(f"ip netns add failed: {added.stderr.strip()}")
            machine = Machine(name, f"{role}-{token}", f"{prefix}.{4 * index + 1}", f"{prefix}.{4 * index + 2}")
            made.append(machine)
            ip("link", "add", f"{name}r", "type", "veth", "peer", "name", f"{name}n")
            ip("link", "set", f"{name}n", "netns", name)
            ip("addr", "add", f"{machine.host}/30", "dev", f"{name}r")
            ip("link", "set", f"{name}r", "up")
            ip("-n", name, "addr", "add", f"{machine.address}/30", "dev", f"{name}n")
            ip("-n", name, "link", "set", "lo", "up")
            ip("-n", name, "link", "set", f"{name}n", "up")
        yield made, f"{prefix}.0/28"
    finally:
        for machine in made:
            ip("link", "del", f"{machine.namespace}r", check=False)  # both ends go
            ip("netns", "del", machine.namespace, check=False)


@pytest.fixture
def shared_services(machines, tmp_path):
    """PostgreSQL and Redis on the root ends of the links only: the machine's own servers (on
    127.0.0.1) are out of the namespaces' reach."""
    found, subnet = machines
    hosts = tuple(machine.host for machine in found)
    cluster = PrivatePostgres(hosts=hosts, clients=subnet)
    redis = PrivateRedis(tmp_path, hosts=hosts)
    try:
        cluster.start_with_database()
        redis.start()
        yield cluster, redis
    finally:
        try:
            redis.stop()
        finally:
            cluster.drop()


SEED = f"""
from django.core.management import call_command
call_command("load_admin_units", "--province", "01", verbosity=0)
call_command("seed_demo", "--households", "{HOUSEHOLDS}", verbosity=0)
"""

# What beat does at 01:00; once the run it made has ended, the single-process recompute on the
# same data, and who ran each shard of the fanned-out run (one process: Django starts once).
NIGHTLY_THEN_SINGLE = """
import ast, json, time
from django_celery_results.models import TaskResult
from reports.models import IndicatorValue, RecomputeRun, RunStatus
from reports.recompute import plan_run, plan_shards, recompute_progress
from reports.tasks import nightly_recompute
run_id = nightly_recompute.delay().get(timeout=60)
deadline = time.monotonic() + 90
while RecomputeRun.objects.get(pk=run_id).status in (RunStatus.QUEUED, RunStatus.RUNNING):
    assert time.monotonic() < deadline, "the nightly run did not end in 90 s"
    time.sleep(0.2)
fanned = RecomputeRun.objects.get(pk=run_id)
if fanned.status != RunStatus.SUCCEEDED:
    print(json.dumps({"run": run_id, "status": fanned.status, "error": fanned.error}))
    raise SystemExit
single = recompute_progress(requested_by="test")
fields = [f.attname for f in IndicatorValue._meta.concrete_fields if f.name not in ("id", "run", "computed_at")]
def values_of(run):
    rows = IndicatorValue.objects.filter(run=run).values(*fields)
    return {(row["unit_id"], row["year"], row["reaggregated"]): row for row in rows}
workers = {}
for result in TaskResult.objects.filter(task_name="reports.recompute_shard", status="SUCCESS"):
    shard_run, key = ast.literal_eval(json.loads(result.task_args))
    if shard_run == fanned.pk:
        workers.setdefault(key, []).append(result.worker)
mine, theirs = values_of(fanned), values_of(single)
differ = sorted(str(key) for key in set(mine) | set(theirs) if mine.get(key) != theirs.get(key))
print(json.dumps({
    "run": run_id,
    "status": fanned.status,
    "planned": [shard.key for shard in plan_shards(plan_run(year=None, computed_at=fanned.started_at))],
    "workers": workers,
    "rows": [fanned.rows, single.rows],
    "poor": sum(row["poor"] or 0 for row in mine.values()),
    "differ": differ[:5],
    "seconds": [(run.finished_at - run.started_at).total_seconds() for run in (fanned, single)],
}))
"""


def readyz(machine: Machine) -> dict:
    """The web's /readyz, asked from the root namespace over the web machine's link."""
    try:
        with urllib.request.urlopen(f"http://{machine.address}:{WEB_PORT}/readyz", timeout=5) as answer:
            return json.load(answer)
    except urllib.error.HTTPError as answer:  # 503: not ready, with the same body
        return json.load(answer)
    except OSError:
        return {}


def test_the_nightly_fan_out_runs_shards_on_both_machines_and_gives_the_single_process_snapshot(
    machines, shared_services, tmp_path
):
    found, _ = machines
    web, *workers_at = found
    cluster, redis = shared_services
    # Each machine reaches the shared servers through its own link, and nothing on the root's loopback.
    for machine in found:
        assert machine.run("hostname").stdout.strip() == machine.hostname
        assert machine.run("redis-cli", "-h", machine.host, "-p", str(redis.port), "ping").stdout.strip() == "PONG"
        assert machine.run("redis-cli", "-p", "6379", "ping").returncode != 0  # its own, empty loopback
    other = workers_at[1].address
    assert workers_at[0].run("redis-cli", "-h", other, "-p", "6379", "ping").returncode != 0  # no way to the other

    root = Portal(cluster.url, redis.url, tmp_path)
    root.manage("migrate", "--noinput", "-v", "0")
    started = []
    try:
        for machine in found:
            folder = tmp_path / machine.namespace
            folder.mkdir()
            portal = Portal(cluster.url_at(machine.host), redis.url_at(machine.host), folder, machine=machine.prefix)
            if machine is web:
                portal.env["ALLOWED_HOSTS"] = machine.address
                portal.start("web", bind=f"{machine.address}:{WEB_PORT}")
            else:
                portal.start("worker", concurrency=1)
            started.append(portal)
        root.python(SEED)  # while they start
        for portal in started[1:]:
            wait_for(lambda portal=portal: "ready." in portal.tail(), "a worker to be ready", portal.log)

        found_out = json.loads(root.python(NIGHTLY_THEN_SINGLE))
        assert found_out["status"] == "succeeded", (found_out, [portal.tail() for portal in started])
        ready = wait_for(lambda: readyz(web).get("status") == "ok", "the web's /readyz", started[0].log) and readyz(web)
        logs = [portal.log.read_text() for portal in started[1:]]
    finally:
        for portal in started:  # all at once: a worker takes a few seconds to shut down
            portal.terminate()
        for portal in started:
            portal.stop()

    # Every shard ran, each on one of the worker machines, and each of them ran some.
    ran = found_out["workers"]
    assert sorted(ran) == sorted(found_out["planned"]) and len(ran) > 2
    names = {name for names in ran.values() for name in names}
    assert {name.split("@")[1] for name in names} == {machine.hostname for machine in workers_at}, ran
    for log in logs:  # each worker's own record of the shards it ran
        assert f"recompute {found_out['run']}: shard " in log
    # The same snapshot as the single-process recompute, and not an empty one.
    assert found_out["differ"] == []
    assert found_out["rows"][0] == found_out["rows"][1] > 0 and found_out["poor"] > 0
    # The web, on its own machine, sees the database, the broker, both workers and the fresh run.
    assert ready["checks"]["workers"] == {"ok": True, "workers": 2}, ready
    assert ready["checks"]["last_full_recompute"]["age_hours"] == 0, ready
    shares = {machine.hostname: sum(machine.hostname in names[0] for names in ran.values()) for machine in workers_at}
    fanned, single = found_out["seconds"]
    print(f"shards per machine {shares}; fan-out {fanned:.2f} s, single process {single:.2f} s")
