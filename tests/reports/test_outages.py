"""Outages of the broker and the database are ridden out: a real worker (two processes) and beat
keep running through 30 seconds without Redis, then without PostgreSQL, and the next recompute
succeeds without restarting anything. Each test starts and stops its own servers (a private
redis-server, a private PostgreSQL cluster), never the machine's."""

import time

import pytest

from tests.private_services import Portal, PrivatePostgres, PrivateRedis
from tests.services import wait_for

pytestmark = pytest.mark.celery_worker

OUTAGE_SECONDS = 30


@pytest.fixture
def private_postgres():
    cluster = PrivatePostgres()
    try:
        cluster.start_with_database()
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
