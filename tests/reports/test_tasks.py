"""The Celery side of the recompute, run eagerly: the chord, the nightly job, queuing on commit."""

import datetime

import pytest
from celery.exceptions import Retry
from django.db.models import Count
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from households.models import (
    AdministrativeUnit,
    Household,
    PovertyClass,
    PovertyStandard,
    Review,
    ReviewState,
    Succession,
)
from povertyplan import celery_app
from reports import recompute, tasks
from reports.models import RecomputeRun, RunStatus
from reports.recompute.counting import moved_counts
from tests.snapshots import reference_values, seed_reviews, values_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def eager():
    """Tasks run in-process, chords included, and their errors propagate."""
    before = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
    celery_app.conf.task_always_eager = celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = before


@pytest.fixture
def reviews(admin_units):
    seed_reviews()


def test_celery_app_reads_django_settings_and_finds_the_tasks(settings):
    assert celery_app.main == "povertyplan"
    assert celery_app.conf.broker_url == settings.CELERY_BROKER_URL
    assert celery_app.conf.result_backend == "django-db"
    assert celery_app.conf.timezone == "Asia/Ho_Chi_Minh"
    celery_app.loader.import_default_modules()
    assert {"reports.recompute_all", "reports.nightly_recompute", "reports.recompute_shard"} <= set(celery_app.tasks)


def test_the_chord_gives_the_same_snapshot_as_the_synchronous_command(reviews, eager):
    run = RecomputeRun.objects.create()
    tasks.recompute_all.delay(run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED and run.is_current
    assert values_of(run) == reference_values()


def test_history_moved_to_another_2025_unit_is_counted_beside_the_shards_as_in_process(reviews, eager):
    # A household of a split commune now lives in a successor that is not the primary one: its
    # 2023-2024 reviews count there when history is re-aggregated onto the 2025 units.
    split = (
        Succession.objects.values("predecessor_id")
        .annotate(n=Count("successor_id"))
        .filter(n__gt=1)
        .order_by("predecessor_id")
        .first()
    )
    old = AdministrativeUnit.objects.get(pk=split["predecessor_id"])
    other = Succession.objects.filter(predecessor=old, is_primary=False).first().successor
    home = Household.objects.create(code="H-MOVED", commune=other, head_name="Trần Thị Bình", head_sex="F")
    standard = PovertyStandard.objects.get(code="national-2022-2025")
    for year, commune in [(2023, old), (2024, old), (2025, other)]:
        Review.objects.create(
            household=home,
            year=year,
            commune=commune,
            standard=standard,
            poverty_class=PovertyClass.POOR,
            state=ReviewState.APPROVED,
        )
    assert moved_counts([2023, 2024]), "the data must exercise the moved history"
    run = RecomputeRun.objects.create()

    tasks.recompute_all.delay(run.pk)

    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED
    assert values_of(run) == reference_values()


def test_the_nightly_task_creates_a_run_and_makes_it_current(reviews, eager):
    run_id = tasks.nightly_recompute.delay().get()
    run = RecomputeRun.objects.get(pk=run_id)
    assert run.requested_by == "Lịch hằng đêm"
    assert run.status == RunStatus.SUCCEEDED and run.is_current and run.rows > 0


def test_a_failing_subtask_fails_the_run_and_leaves_the_previous_snapshot(reviews, eager, monkeypatch):
    good = recompute.recompute_progress()
    served = values_of(good)

    def broken(years, commune_ids=None):
        raise RuntimeError("disk full")

    monkeypatch.setattr(recompute.runs, "count_reviews", broken)
    run = RecomputeRun.objects.create()
    with pytest.raises(RuntimeError):
        tasks.recompute_all.delay(run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and "disk full" in run.error and run.finished_at
    assert RecomputeRun.objects.current() == good and values_of(good) == served


def test_a_run_queued_while_another_runs_waits_and_says_so(reviews):
    running = RecomputeRun.objects.create()
    recompute.start_run(running)
    run = RecomputeRun.objects.create()
    with pytest.raises(Retry):
        tasks.recompute_all(run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.QUEUED
    assert run.error.startswith("Đang chờ: Một lượt tính toán khác đang chạy") and f"#{running.pk}" in run.error


def test_a_run_that_waited_too_long_is_refused_and_says_so(reviews, settings):
    settings.RECOMPUTE_TIMEOUT = 3600
    running = RecomputeRun.objects.create()
    recompute.start_run(running)
    run = RecomputeRun.objects.create()
    RecomputeRun.objects.filter(pk=run.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=59, seconds=50)
    )
    tasks.recompute_all(run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and run.error.startswith("Từ chối:")


def test_a_redelivered_start_message_does_nothing(reviews, eager):
    run = recompute.recompute_progress()
    assert tasks.recompute_all(run.pk) == f"run {run.pk} already succeeded"


def test_approval_queues_one_recompute_on_commit(reviews, eager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        tasks.queue_recompute(commune_ids=[5, 3], years=[2024], requested_by="Phê duyệt")
    assert not RecomputeRun.objects.exists()  # nothing before the commit
    assert len(callbacks) == 1
    callbacks[0]()
    run = RecomputeRun.objects.get()
    assert run.requested_by == "Phê duyệt (xã 3, 5; năm 2024)"
    assert run.status == RunStatus.SUCCEEDED and run.is_current


def test_approvals_share_a_run_still_waiting_to_start(db, django_capture_on_commit_callbacks, monkeypatch):
    sent = []
    monkeypatch.setattr(tasks.recompute_all, "apply_async", lambda args, **options: sent.append(args))
    with django_capture_on_commit_callbacks(execute=True):
        tasks.queue_recompute(commune_ids=[1])
        tasks.queue_recompute(commune_ids=[2])
    assert RecomputeRun.objects.count() == 1 and len(sent) == 1
    RecomputeRun.objects.update(status=RunStatus.RUNNING, started_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        tasks.queue_recompute(commune_ids=[3])
    assert RecomputeRun.objects.count() == 2 and len(sent) == 2  # a started run may miss the change


def test_nothing_is_queued_when_the_approval_rolls_back(db, django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                tasks.queue_recompute(commune_ids=[1])
                raise ValueError("approval refused")
        except ValueError:
            pass
    assert callbacks == [] and not RecomputeRun.objects.exists()


def test_the_migration_schedules_the_nightly_run_at_one_in_hanoi_time():
    nightly = PeriodicTask.objects.get(name="Tính lại chỉ tiêu hằng đêm")
    assert nightly.task == "reports.nightly_recompute" and nightly.enabled
    cron = nightly.crontab
    assert (cron.minute, cron.hour, cron.day_of_week, cron.day_of_month, cron.month_of_year) == (
        "0",
        "1",
        "*",
        "*",
        "*",
    )
    assert str(cron.timezone) == "Asia/Ho_Chi_Minh"
    sweep = PeriodicTask.objects.get(task="reports.fail_abandoned_runs")
    assert (sweep.interval.every, sweep.interval.period) == (1, "minutes")
    assert nightly.task in celery_app.tasks and sweep.task in celery_app.tasks


def test_the_migration_schedules_the_daily_clean_up_of_abandoned_uploads():
    clean = PeriodicTask.objects.get(task="households.clean_stale_import_jobs")
    assert clean.enabled and (clean.crontab.minute, clean.crontab.hour) == ("30", "2")
    celery_app.loader.import_default_modules()  # what a worker does at start: every app's tasks.py
    assert str(clean.crontab.timezone) == "Asia/Ho_Chi_Minh" and clean.task in celery_app.tasks


class BrokerDown:
    def __init__(self):
        self.down, self.sent = True, []

    def __call__(self, args, **options):
        from kombu.exceptions import OperationalError

        if self.down:
            raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
        self.sent.append(args)


def test_an_approval_while_the_broker_is_down_is_saved_and_its_recompute_sent_once_it_is_back(
    db, django_capture_on_commit_callbacks, monkeypatch
):
    broker = BrokerDown()
    monkeypatch.setattr(tasks.recompute_all, "apply_async", broker)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.queue_recompute(commune_ids=[1], requested_by="Phê duyệt")  # no exception reaches the officer
    run = RecomputeRun.objects.get()
    assert run.status == RunStatus.QUEUED and run.dispatched_at is None
    tasks.fail_abandoned_runs()  # the sweep while the broker is still down: kept, not failed
    run.refresh_from_db()
    assert run.status == RunStatus.QUEUED and run.dispatched_at is None and broker.sent == []

    with django_capture_on_commit_callbacks(execute=True):
        tasks.queue_recompute(commune_ids=[2])  # never shares a run that was not sent
    assert RecomputeRun.objects.count() == 2

    broker.down = False
    tasks.fail_abandoned_runs()
    newest = RecomputeRun.objects.latest("created_at")
    assert broker.sent == [(newest.pk,)]
    newest.refresh_from_db()
    assert newest.dispatched_at is not None
    assert RecomputeRun.objects.get(pk=run.pk).status == RunStatus.FAILED  # superseded by the newer one


def test_a_run_waiting_for_another_beats_so_the_sweep_keeps_it(reviews):
    running = RecomputeRun.objects.create()
    recompute.start_run(running)
    run = RecomputeRun.objects.create(heartbeat_at=timezone.now() - datetime.timedelta(minutes=5))
    with pytest.raises(Retry):
        tasks.recompute_all(run.pk)
    run.refresh_from_db()
    assert timezone.now() - run.heartbeat_at < datetime.timedelta(seconds=5)


def test_a_second_delivery_racing_the_first_does_not_fail_the_run(reviews):
    run = RecomputeRun.objects.create()
    recompute.start_run(run)
    RecomputeRun.objects.filter(pk=run.pk).update(status=RunStatus.QUEUED)  # what the racing copy read
    stale = RecomputeRun.objects.get(pk=run.pk)
    RecomputeRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING)
    assert tasks.recompute_all.run(stale.pk) in (f"run {run.pk} already running", f"run {run.pk} started elsewhere")
    assert RecomputeRun.objects.get(pk=run.pk).status == RunStatus.RUNNING


def test_the_operators_celery_commands_run(settings):
    """`celery -A povertyplan call` died with AppRegistryNotReady (the results backend's models)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {**os.environ, "DEBUG": "true", "CELERY_BROKER_URL": "memory://", "DJANGO_SETTINGS_MODULE": "tests.settings"}
    command = [sys.executable, "-m", "celery", "-A", "povertyplan", "call", "reports.fail_abandoned_runs"]
    done = subprocess.run(
        command, cwd=Path(__file__).resolve().parents[2], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "AppRegistryNotReady" not in done.stderr
