"""The recompute: shards add up to the same snapshot as one query, the swap is all or nothing,
runs never interleave, and a run that dies leaves the previous snapshot served."""

import datetime
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, Q
from django.utils import timezone

from households.models import (
    AdministrativeUnit,
    PovertyClass,
    Review,
    ReviewState,
    Structure,
    Succession,
    UnitLevel,
)
from reports import recompute
from reports.models import IndicatorValue, RecomputeRun, RunStatus
from reports.queries import snapshot
from tests.snapshots import YEARS, reference_values, seed_reviews, values_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviews(admin_units):
    seed_reviews()


def city(year):
    return snapshot(unit="01", year=year).get()


# What the shards compute.


def test_shards_take_whole_districts_and_even_groups_of_2025_communes_of_about_the_shard_size(reviews):
    plan = recompute.plan_run(year=None, computed_at=timezone.now())
    shards = recompute.plan_shards(plan)
    legacy = [s for s in shards if s.key.startswith("2008:")]
    reform = [s for s in shards if s.key.startswith("2025:")]
    size = recompute.SHARD_COMMUNES
    districts = AdministrativeUnit.objects.filter(level=UnitLevel.DISTRICT, structure=Structure.LEGACY)
    assert sorted(d for s in legacy for d in s.district_ids) == sorted(districts.values_list("pk", flat=True))
    for shard in legacy:  # a district's rows need every one of its communes in the same shard
        mine = AdministrativeUnit.objects.filter(parent_id__in=shard.district_ids, level=UnitLevel.COMMUNE)
        assert set(mine.values_list("pk", flat=True)) == set(shard.commune_ids)
    assert all(len(s.commune_ids) >= size for s in legacy[:-1])
    assert [len(s.commune_ids) for s in reform] == [32, 32, 31, 31]  # 126 communes, no district
    assert all(not s.district_ids for s in reform)
    communes = [pk for s in shards for pk in s.commune_ids]
    assert len(communes) == len(set(communes)) == AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE).count()


def test_a_shard_size_of_one_gives_a_shard_per_district_and_per_2025_commune(reviews, settings):
    settings.RECOMPUTE_SHARD_COMMUNES = 1
    plan = recompute.plan_run(year=None, computed_at=timezone.now())
    shards = recompute.plan_shards(plan)
    assert len([s for s in shards if s.key.startswith("2008:")]) == 30
    assert len([s for s in shards if s.key.startswith("2025:")]) == 126
    # Shard by shard, as the Celery workers run them: the same snapshot whatever the size.
    run = RecomputeRun.objects.create()
    plan = recompute.start_run(run)
    recompute.finish_run(run.pk, plan, [recompute.compute_shard(run.pk, plan, shard) for shard in shards])
    assert values_of(run) == reference_values()


def test_sharded_run_gives_exactly_the_single_query_snapshot(reviews):
    run = recompute.recompute_progress(requested_by="test")
    assert run.status == RunStatus.SUCCEEDED and run.is_current
    assert values_of(run) == reference_values()
    assert run.rows == IndicatorValue.objects.filter(run=run).count() > 0


def test_figures_match_counts_taken_straight_from_the_reviews(reviews):
    recompute.recompute_progress()
    approved = Review.objects.filter(state=ReviewState.APPROVED)
    for year in YEARS:
        assert city(year).poor == approved.filter(year=year, poverty_class=PovertyClass.POOR).count()
        assert city(year).pending == Review.objects.filter(year=year).exclude(state=ReviewState.APPROVED).count()
    by_commune = dict(
        approved.filter(year=2024, poverty_class=PovertyClass.NEAR_POOR)
        .values_list("commune__code")
        .annotate(n=Count("id"))
    )
    for code, count in by_commune.items():
        assert snapshot(unit=code, year=2024).get().near_poor == count
    ba_dinh = snapshot(unit="001", year=2024).get()
    assert (
        ba_dinh.poor
        == approved.filter(year=2024, poverty_class=PovertyClass.POOR, commune__parent=ba_dinh.unit).count()
    )
    # 2025's start-of-year figures come from the 2024 reviews of the predecessors.
    hong_ha = AdministrativeUnit.objects.get(code="00097", structure=Structure.REFORM_2025)
    predecessors = Succession.objects.filter(successor=hong_ha, is_primary=True).values("predecessor")
    start = approved.filter(year=2024, poverty_class=PovertyClass.POOR, commune__in=predecessors).count()
    assert snapshot(unit="00097", year=2025).get().poor_start == start
    assert city(2025).poor_start == city(2024).poor


def test_meritorious_near_poor_households_are_counted_beside_the_meritorious_poor(reviews):
    """QĐ 1362/QĐ-UBND: basically no near-poor household among families of people with meritorious service."""
    recompute.recompute_progress()
    approved = Review.objects.filter(state=ReviewState.APPROVED, meritorious=True)
    for year in YEARS:
        near_poor = approved.filter(year=year, poverty_class=PovertyClass.NEAR_POOR).count()
        poor = approved.filter(year=year, poverty_class=PovertyClass.POOR).count()
        assert near_poor > 0 and city(year).meritorious_near_poor == near_poor
        assert city(year).meritorious_poor == poor
    ba_vi = snapshot(unit="271", year=2024).get()
    assert (
        ba_vi.meritorious_near_poor
        == approved.filter(year=2024, poverty_class=PovertyClass.NEAR_POOR, commune__parent=ba_vi.unit).count()
    )


def test_same_data_gives_the_same_values_and_keeps_one_previous_snapshot(reviews):
    first = values_of(recompute.recompute_progress())
    second = recompute.recompute_progress()
    third = recompute.recompute_progress()
    assert first == values_of(second) == values_of(third)
    assert set(IndicatorValue.objects.values_list("run_id", flat=True).distinct()) == {second.pk, third.pk}
    assert list(RecomputeRun.objects.filter(is_current=True)) == [third]


def test_a_year_run_recomputes_that_year_and_keeps_the_others(reviews):
    first = recompute.recompute_progress()
    Review.objects.filter(year=2024, commune__code="09625").update(
        state=ReviewState.APPROVED, poverty_class=PovertyClass.POOR
    )
    run = recompute.recompute_progress(year=2024)
    assert run.year == 2024 and run.is_current
    now, before = values_of(run), values_of(first)
    assert now.keys() == before.keys()
    assert {k: v for k, v in now.items() if k[1] != 2024} == {k: v for k, v in before.items() if k[1] != 2024}
    assert city(2024).poor > before[(city(2024).unit_id, 2024, False)]["poor"]


def test_command_reports_the_run_and_its_rows(reviews, capsys):
    call_command("recompute_progress")
    run = RecomputeRun.objects.get()
    assert f"Lượt #{run.pk}: {run.rows:,} dòng".replace(",", ".") in capsys.readouterr().out  # 1.493 dòng


def test_command_year_option(reviews):
    call_command("recompute_progress", "--year", "2025")
    assert set(snapshot().values_list("year", flat=True)) == {2025}


# Faults: a failed shard, a dead worker, a second run.


@pytest.mark.parametrize("dying_write", [1, 2], ids=["shards' rows", "final step"])
def test_a_failing_write_leaves_the_previous_snapshot_current_and_the_run_failed(reviews, dying_write):
    good = recompute.recompute_progress()
    served = city(2024).poor
    Review.objects.filter(year=2024).update(state=ReviewState.APPROVED, poverty_class=PovertyClass.POOR)
    real = recompute.insert_values
    calls = []

    def dies(rows):
        calls.append(1)
        if len(calls) == dying_write:
            raise ConnectionError("server closed the connection unexpectedly")
        return real(rows)

    with mock.patch.object(recompute.runs, "insert_values", dies), pytest.raises(ConnectionError):
        recompute.recompute_progress()
    failed = RecomputeRun.objects.exclude(pk=good.pk).get()
    assert failed.status == RunStatus.FAILED and not failed.is_current
    assert "server closed the connection" in failed.error
    assert RecomputeRun.objects.current() == good
    assert city(2024).poor == served
    # The next run cleans up the dead run's half-written rows.
    later = recompute.recompute_progress()
    assert not IndicatorValue.objects.filter(run=failed).exists()
    assert city(2024).poor == later.values.get(unit__code="01", year=2024).poor > served


def test_readers_see_none_of_a_half_written_run(reviews):
    good = recompute.recompute_progress()
    before = list(snapshot().values_list("pk", flat=True))
    run = RecomputeRun.objects.create()
    plan = recompute.start_run(run)
    shards = recompute.plan_shards(plan)
    for shard in shards[:10]:
        recompute.compute_shard(run.pk, plan, shard)
    assert IndicatorValue.objects.filter(run=run).exists()
    assert list(snapshot().values_list("pk", flat=True)) == before
    assert RecomputeRun.objects.current() == good


def test_a_second_run_while_one_is_running_is_refused_and_says_so(reviews):
    running = RecomputeRun.objects.create()
    recompute.start_run(running)
    with pytest.raises(recompute.RecomputeBusy):
        recompute.recompute_progress(requested_by="second")
    refused = RecomputeRun.objects.get(requested_by="second")
    assert refused.status == RunStatus.FAILED
    assert refused.error.startswith("Từ chối: Một lượt tính toán khác đang chạy") and f"#{running.pk}" in refused.error
    with pytest.raises(CommandError, match="đang chạy"):
        call_command("recompute_progress")
    running.refresh_from_db()
    assert running.status == RunStatus.RUNNING


def test_a_run_killed_mid_way_is_marked_failed_once_timed_out_and_the_next_run_proceeds(reviews, settings):
    good = recompute.recompute_progress()
    dead = RecomputeRun.objects.create()
    plan = recompute.start_run(dead)
    recompute.compute_shard(dead.pk, plan, recompute.plan_shards(plan)[0])
    # The worker died here: nothing marks the row; it blocks until the timeout.
    assert RecomputeRun.objects.current() == good
    with pytest.raises(recompute.RecomputeBusy):
        recompute.recompute_progress()
    RecomputeRun.objects.filter(pk=dead.pk).update(started_at=timezone.now() - datetime.timedelta(seconds=61))
    settings.RECOMPUTE_TIMEOUT = 60
    run = recompute.recompute_progress()
    dead.refresh_from_db()
    assert dead.status == RunStatus.FAILED and "Bị bỏ dở" in dead.error
    assert run.status == RunStatus.SUCCEEDED and run.is_current


def test_late_work_of_a_run_marked_failed_is_dropped(reviews):
    run = RecomputeRun.objects.create()
    plan = recompute.start_run(run)
    shards = recompute.plan_shards(plan)
    results = [recompute.compute_shard(run.pk, plan, shard) for shard in shards]
    RecomputeRun.objects.filter(pk=run.pk).update(status=RunStatus.FAILED, error="Bị bỏ dở")
    with pytest.raises(recompute.RunNotRunning):
        recompute.compute_shard(run.pk, plan, shards[0])
    with pytest.raises(recompute.RunNotRunning):
        recompute.finish_run(run.pk, plan, results)
    assert RecomputeRun.objects.current() is None
    run.refresh_from_db()
    assert run.error == "Bị bỏ dở"


def test_a_shard_or_final_step_run_twice_writes_its_rows_once(reviews):
    run = RecomputeRun.objects.create()
    plan = recompute.start_run(run)
    shards = recompute.plan_shards(plan)
    results = [recompute.compute_shard(run.pk, plan, shard) for shard in shards]
    recompute.compute_shard(run.pk, plan, shards[3])  # a redelivered task
    recompute.finish_run(run.pk, plan, results)
    assert values_of(run) == reference_values()


def test_abandoned_queued_and_running_runs_are_swept(db, settings):
    settings.RECOMPUTE_TIMEOUT = 60
    old = timezone.now() - datetime.timedelta(minutes=5)
    stuck = RecomputeRun.objects.create(status=RunStatus.RUNNING, started_at=old)
    lost = RecomputeRun.objects.create()
    RecomputeRun.objects.filter(pk=lost.pk).update(created_at=old, dispatched_at=old)
    never_sent = RecomputeRun.objects.create()  # the broker was down: the sweep sends it later
    RecomputeRun.objects.filter(pk=never_sent.pk).update(created_at=old)
    fresh = RecomputeRun.objects.create(status=RunStatus.RUNNING, started_at=timezone.now())
    assert recompute.fail_abandoned_runs() == 2
    statuses = dict(RecomputeRun.objects.values_list("pk", "status"))
    assert statuses == {
        stuck.pk: RunStatus.FAILED,
        lost.pk: RunStatus.FAILED,
        fresh.pk: RunStatus.RUNNING,
        never_sent.pk: RunStatus.QUEUED,
    }
    assert not RecomputeRun.objects.filter(Q(status=RunStatus.FAILED) & Q(error="")).exists()


def test_a_run_whose_worker_fell_silent_for_two_minutes_is_failed_and_the_waiting_run_starts(reviews):
    dead = RecomputeRun.objects.create()
    plan = recompute.start_run(dead)
    recompute.compute_shard(dead.pk, plan, recompute.plan_shards(plan)[0])
    waiting = RecomputeRun.objects.create()
    with pytest.raises(recompute.RecomputeBusy):
        recompute.start_run(waiting)  # the dead run still beat a moment ago
    RecomputeRun.objects.filter(pk=dead.pk).update(heartbeat_at=timezone.now() - datetime.timedelta(seconds=121))
    recompute.start_run(waiting)  # the default RECOMPUTE_TIMEOUT (15 minutes) is far off
    dead.refresh_from_db()
    assert dead.status == RunStatus.FAILED and "không có tín hiệu" in dead.error


def test_a_run_silent_for_less_than_two_minutes_is_alive(db):
    alive = RecomputeRun.objects.create(
        status=RunStatus.RUNNING,
        started_at=timezone.now() - datetime.timedelta(minutes=10),
        heartbeat_at=timezone.now() - datetime.timedelta(seconds=100),
    )
    assert recompute.fail_abandoned_runs() == 0
    alive.refresh_from_db()
    assert alive.status == RunStatus.RUNNING


def test_lost_queued_runs_are_sent_again_newest_first_and_the_older_ones_superseded(db):
    old = timezone.now() - datetime.timedelta(minutes=5)
    never_sent = RecomputeRun.objects.create()
    RecomputeRun.objects.filter(pk=never_sent.pk).update(created_at=old)
    lost = RecomputeRun.objects.create()
    RecomputeRun.objects.filter(pk=lost.pk).update(created_at=old + datetime.timedelta(seconds=1), dispatched_at=old)
    waiting = RecomputeRun.objects.create(dispatched_at=timezone.now(), heartbeat_at=timezone.now())
    assert [run.pk for run in recompute.runs_to_redispatch()] == [lost.pk]
    statuses = dict(RecomputeRun.objects.values_list("pk", "status"))
    assert statuses == {never_sent.pk: RunStatus.FAILED, lost.pk: RunStatus.QUEUED, waiting.pk: RunStatus.QUEUED}
