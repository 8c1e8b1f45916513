"""The upload page: preview (dry run), confirm on the stored file, bad files refused whole, large
files in the background with progress, and jobs seen only by their uploader."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from households import tasks, uploads
from households.importer import ImportRefused, import_reviews
from households.models import Household, ImportJob, JobStage, JobStatus, Review, ReviewState, Role
from households.template import COLUMN_KEYS
from tests.builders import csv_bytes, review_row, xlsx_bytes
from tests.factories import CommuneFactory, ReviewFactory, Unit, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def upload(client, content: bytes, name="ra-soat.csv"):
    return client.post(reverse("households:import"), {"file": SimpleUploadedFile(name, content)})


@pytest.fixture
def unit():
    return Unit("a")


def latest_job() -> ImportJob:
    return ImportJob.objects.latest("pk")


def test_a_preview_writes_nothing_and_shows_the_counts_then_confirm_imports_the_stored_file(unit, media):
    client = unit.client()
    rows = [
        review_row(unit.code("H1", unit.commune), unit.commune, income=1_500_000, deprivations=3),  # poor
        review_row(unit.code("H2", unit.commune), unit.commune, income=1_500_000, deprivations=2),  # near-poor
        review_row(unit.code("H3", unit.other_commune), unit.other_commune, income=9_000_000, deprivations=0),
    ]
    response = upload(client, csv_bytes(rows))
    job = latest_job()
    assert response.status_code == 302 and response.url == reverse("households:import_job", args=[job.pk])
    assert (job.stage, job.status) == (JobStage.PREVIEW, JobStatus.SUCCEEDED)
    assert job.preview["households_created"] == 3 and job.preview["classes"]["poor"] == 1
    assert Household.objects.count() == 0 and Review.objects.count() == 0
    stored = media / job.file_path
    assert stored.exists() and stored.parent.name == "imports"

    page = client.get(response.url).content.decode()
    assert "Xem trước: những gì sẽ thay đổi" in page and "Hộ nghèo" in page and "Nghèo phát sinh" in page
    assert "Xác nhận nhập" in page

    response = client.post(reverse("households:import_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert (job.stage, job.status) == (JobStage.IMPORT, JobStatus.SUCCEEDED)
    assert job.result["reviews_created"] == 3 and job.result["dry_run"] is False
    assert Review.objects.filter(state=ReviewState.DRAFT).count() == 3
    assert not stored.exists(), "the file is removed once imported"
    assert "Đã nhập" in client.get(response.url).content.decode()


def test_an_xlsx_upload_previews_like_a_csv(unit):
    upload(unit.client(), xlsx_bytes([review_row(unit.code("X1", unit.commune), unit.commune)]), name="ra-soat.xlsx")
    assert latest_job().preview["households_created"] == 1


def test_a_file_with_two_bad_rows_is_refused_whole_with_both_row_numbers(unit, media):
    client = unit.client()
    rows = [
        review_row(unit.code("H1", unit.commune), unit.commune),
        review_row(unit.code("H2", unit.commune), unit.commune, income="abc"),
        review_row(unit.code("H3", unit.commune), unit.commune, d05="2"),
        review_row(unit.code("H4", unit.commune), unit.commune),
    ]
    response = upload(client, csv_bytes(rows))
    job = latest_job()
    assert job.status == JobStatus.FAILED
    assert any(e.startswith("Dòng 3") and "phải là một số" in e for e in job.errors)
    assert any(e.startswith("Dòng 4") and "phải là 0 hoặc 1" in e for e in job.errors)
    page = client.get(response.url).content.decode()
    assert "Tệp bị từ chối: 2 lỗi. Không có dữ liệu nào được ghi." in page
    assert Household.objects.count() == 0
    assert not (media / job.file_path).exists()
    assert client.post(reverse("households:import_confirm", args=[job.pk])).status_code == 302
    assert Household.objects.count() == 0, "a refused file cannot be confirmed"


@pytest.mark.parametrize("name", ["ra-soat.pdf", "ra-soat.xls", "ra-soat"])
def test_a_wrong_file_type_is_refused_before_anything_is_stored(unit, media, name):
    response = upload(unit.client(), b"%PDF-1.4", name=name)
    assert response.status_code == 200
    assert "Chỉ nhận tệp .xlsx hoặc .csv" in response.content.decode()
    assert not ImportJob.objects.exists() and not (media / "imports").exists()


def test_a_file_missing_columns_is_refused(unit):
    keys = [key for key in COLUMN_KEYS if key not in ("income_per_capita", "year")]
    upload(unit.client(), csv_bytes([review_row(unit.code("H1", unit.commune), unit.commune)], keys=keys))
    job = latest_job()
    assert job.status == JobStatus.FAILED
    assert "Thiếu cột bắt buộc" in job.errors[0] and "Năm rà soát" in job.errors[0]


def test_an_unknown_commune_is_refused_with_its_row(unit):
    upload(
        unit.client(),
        csv_bytes(
            [
                review_row(unit.code("H1", unit.commune), unit.commune),
                review_row(unit.code("H2", unit.commune), unit.commune, commune_code="99999"),
            ]
        ),
    )
    assert latest_job().errors == ["Dòng 3, cột «Mã xã/phường»: mã «99999» không phải xã/phường của năm 2023"]


def test_a_commune_outside_the_officers_scope_is_refused(unit):
    elsewhere = CommuneFactory()  # another district
    upload(
        unit.client(unit.commune_officer),
        csv_bytes([review_row(unit.code("H1", unit.other_commune), unit.other_commune), review_row("H2", elsewhere)]),
    )
    errors = latest_job().errors
    assert len(errors) == 2 and all("không thuộc phạm vi của bạn" in e for e in errors)
    assert Household.objects.count() == 0


def test_an_approved_year_is_read_only_to_a_commune_officer_through_the_upload(unit):
    review = ReviewFactory(household__code=unit.code("H1"), household__commune=unit.commune, state=ReviewState.APPROVED)
    client = unit.client(unit.commune_officer)
    # Changing an approved review …
    upload(client, csv_bytes([review_row(unit.code("H1", unit.commune), unit.commune, income=9_000_000)]))
    assert "đã được phê duyệt, không thể sửa" in latest_job().errors[0]
    # … or adding a household to the approved commune-year.
    upload(client, csv_bytes([review_row(unit.code("H9", unit.commune), unit.commune)]))
    assert latest_job().errors == [
        f"Dòng 2, cột «Năm rà soát»: Rà soát năm 2023 của {unit.commune.name} đã được phê duyệt, không thể thêm hộ mới."
    ]
    review.refresh_from_db()
    assert (
        review.income_per_capita == Decimal(1_200_000) and not Household.objects.filter(code=unit.code("H9")).exists()
    )


def test_a_year_approved_between_preview_and_confirm_refuses_the_import_and_writes_nothing(unit):
    ReviewFactory(household__code=unit.code("H1"), household__commune=unit.commune, state=ReviewState.DRAFT)
    client = unit.client(unit.commune_officer)
    upload(client, csv_bytes([review_row(unit.code("H9", unit.commune), unit.commune)]))
    job = latest_job()
    assert job.status == JobStatus.SUCCEEDED, job.errors
    Review.objects.update(state=ReviewState.APPROVED)  # the district approves meanwhile
    client.post(reverse("households:import_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "không thể thêm hộ mới" in job.errors[0]
    assert not Household.objects.filter(code=unit.code("H9")).exists()


def test_an_administrator_may_change_an_approved_year(unit):
    ReviewFactory(household__code=unit.code("H1"), household__commune=unit.commune, state=ReviewState.APPROVED)
    admin = UserFactory(username="admin", role=Role.ADMINISTRATOR, unit=unit.district.parent)
    client = unit.client(admin)
    upload(
        client,
        csv_bytes(
            [
                review_row(unit.code("H1", unit.commune), unit.commune, income=9_000_000),
                review_row(unit.code("H9", unit.commune), unit.commune),
            ]
        ),
    )
    job = latest_job()
    assert job.status == JobStatus.SUCCEEDED, job.errors
    client.post(reverse("households:import_confirm", args=[job.pk]))
    assert Review.objects.get(household__code=unit.code("H1")).income_per_capita == Decimal(9_000_000)


def test_a_city_leader_may_not_upload(unit):
    leader = UserFactory(username="leader", role=Role.CITY_LEADER, unit=unit.district.parent)
    assert (
        upload(unit.client(leader), csv_bytes([review_row(unit.code("H1", unit.commune), unit.commune)])).status_code
        == 403
    )
    assert unit.client(leader).get(reverse("households:import")).status_code == 403


def test_only_the_uploader_and_administrators_see_a_job(unit):
    upload(unit.client(), csv_bytes([review_row(unit.code("H1", unit.commune), unit.commune)]))
    job = latest_job()
    colleague = UserFactory(username="colleague", role=Role.DISTRICT_OFFICER, unit=unit.district)
    admin = UserFactory(username="admin", role=Role.ADMINISTRATOR, unit=unit.district.parent)
    for name in ("households:import_job", "households:import_progress"):
        assert unit.client(colleague).get(reverse(name, args=[job.pk])).status_code == 404
        assert unit.client(admin).get(reverse(name, args=[job.pk])).status_code == 200
    assert unit.client(colleague).post(reverse("households:import_confirm", args=[job.pk])).status_code == 404
    assert job.filename not in unit.client(colleague).get(reverse("households:import_jobs")).content.decode()
    assert job.filename in unit.client().get(reverse("households:import_jobs")).content.decode()
    assert not Household.objects.exists()


def test_a_confirmed_file_cannot_be_imported_twice_and_a_discarded_one_not_at_all(unit):
    client = unit.client()
    upload(client, csv_bytes([review_row(unit.code("H1", unit.commune), unit.commune)]))
    job = latest_job()
    client.post(reverse("households:import_confirm", args=[job.pk]))
    response = client.post(reverse("households:import_confirm", args=[job.pk]), follow=True)
    assert "Chỉ xác nhận được một tệp đã xem trước thành công" in response.content.decode()

    upload(client, csv_bytes([review_row(unit.code("H2", unit.commune), unit.commune)]))
    second = latest_job()
    client.post(reverse("households:import_discard", args=[second.pk]))
    second.refresh_from_db()
    assert second.status == JobStatus.DISCARDED
    client.post(reverse("households:import_confirm", args=[second.pk]))
    assert not Household.objects.filter(code=unit.code("H2")).exists()


def test_a_large_file_runs_as_a_task_with_progress_and_the_officer_can_come_back(
    unit, settings, django_capture_on_commit_callbacks, monkeypatch
):
    settings.IMPORT_BACKGROUND_ROWS = 2
    queued = []
    monkeypatch.setattr(tasks.run_import_job, "delay", lambda job_id: queued.append(job_id))
    client = unit.client()
    rows = [review_row(unit.code(f"H{i}"), unit.commune) for i in range(5)]
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, csv_bytes(rows))
    job = latest_job()
    assert queued == [job.pk] and job.background and job.status == JobStatus.QUEUED and job.rows_total == 5
    page = client.get(response.url).content.decode()
    assert 'hx-get="{}"'.format(reverse("households:import_progress", args=[job.pk])) in page
    assert "<progress" in page and "0/5" in page

    tasks.run_import_job(job.pk)  # what the worker runs
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.rows_done == 5 and job.preview["households_created"] == 5
    progress = client.get(reverse("households:import_progress", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert progress["HX-Refresh"] == "true" and "hx-get" not in progress.content.decode()
    assert job.filename in client.get(reverse("households:import_jobs")).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("households:import_confirm", args=[job.pk]))
    assert queued == [job.pk, job.pk]
    tasks.run_import_job(job.pk)
    tasks.run_import_job(job.pk)  # a redelivered message does nothing
    job.refresh_from_db()
    assert (job.stage, job.status, job.result["reviews_created"]) == (JobStage.IMPORT, JobStatus.SUCCEEDED, 5)
    assert Review.objects.count() == 5


def test_the_progress_callback_reports_rows_to_the_polled_page(unit, media):
    job = ImportJob.objects.create(
        user=unit.officer, filename="x.csv", file_path="imports/x.csv", rows_total=10, status=JobStatus.RUNNING
    )
    (media / "imports").mkdir()
    uploads._Progress(job)(4)
    assert uploads.rows_done(job) == 4
    page = unit.client().get(reverse("households:import_progress", args=[job.pk])).content.decode()
    assert "4/10" in page and 'value="40"' in page


def test_rows_are_counted_cheaply_to_choose_the_background(tmp_path, unit):
    rows = [review_row(unit.code(f"H{i}"), unit.commune) for i in range(7)]
    (tmp_path / "a.xlsx").write_bytes(xlsx_bytes(rows))
    (tmp_path / "a.csv").write_bytes(csv_bytes(rows) + b"\n\n")
    (tmp_path / "bad.xlsx").write_bytes(b"not a zip")
    assert uploads.count_data_rows(tmp_path / "a.xlsx") == 7
    assert uploads.count_data_rows(tmp_path / "a.csv") == 7
    assert uploads.count_data_rows(tmp_path / "bad.xlsx") == 0


def test_stale_previews_lose_their_file_and_dead_jobs_are_marked_failed(unit, media):
    import datetime

    from django.utils import timezone

    upload(unit.client(), csv_bytes([review_row(unit.code("H1", unit.commune), unit.commune)]))
    preview = latest_job()
    dead = ImportJob.objects.create(user=unit.officer, filename="x.csv", file_path="imports/x.csv", status="running")
    now = timezone.now()
    assert (
        uploads.clean_stale_jobs(
            now=now, keep_previews=datetime.timedelta(days=7), running_limit=datetime.timedelta(hours=6)
        )
        == 0
    )
    later = now + datetime.timedelta(days=8)
    assert (
        tasks.uploads.clean_stale_jobs(
            now=later, keep_previews=datetime.timedelta(days=7), running_limit=datetime.timedelta(hours=6)
        )
        == 2
    )
    preview.refresh_from_db()
    dead.refresh_from_db()
    assert preview.status == JobStatus.DISCARDED and not (media / preview.file_path).exists()
    assert dead.status == JobStatus.FAILED and "gián đoạn" in dead.errors[0]


def test_the_same_error_on_many_rows_is_said_once_with_its_rows(unit):
    rows = [review_row(unit.code(f"H{i}"), unit.commune, income="một triệu") for i in range(30)] + [
        review_row(unit.code("HX", unit.commune), unit.commune, d04=7)
    ]
    upload(unit.client(), csv_bytes(rows))
    job = latest_job()
    assert job.status == JobStatus.FAILED and len(job.error_rows) == 31
    assert job.errors[0].startswith("30 dòng (2–31), cột «Thu nhập bình quân (đồng/người/tháng)»: «một triệu»")
    assert job.errors[1].startswith("Dòng 32, cột «D04")
    page = unit.client().get(reverse("households:import_job", args=[job.pk])).content.decode()
    assert "Tệp bị từ chối: 31 lỗi" in page


def test_the_preview_lists_each_field_a_row_would_change_before_and_after(unit):
    first = [
        review_row(
            unit.code("H1", unit.commune), unit.commune, income=1_500_000, deprivations=3, head_name="Nguyễn Văn An"
        )
    ]
    import_reviews_file = upload(unit.client(), csv_bytes(first))
    unit.client().post(reverse("households:import_confirm", args=[latest_job().pk]))
    changed = [
        review_row(
            unit.code("H1", unit.commune), unit.commune, income=2_500_000, deprivations=2, head_name="Nguyễn Văn Ân"
        )
    ]
    upload(unit.client(), csv_bytes(changed))
    job = latest_job()
    changes = {c["field"]: (c["label"], c["before"], c["after"]) for c in job.preview["changes"]}
    assert changes["income_per_capita"][1:] == ("1.500.000", "2.500.000")
    assert changes["deprivation_flags"] == ("Các chỉ số thiếu hụt", "d01, d02, d03", "d01, d02")
    assert changes["head_name"][1:] == ("Nguyễn Văn An", "Nguyễn Văn Ân")
    assert changes["poverty_class"][1] == "Hộ nghèo" and changes["poverty_class"][2] != "Hộ nghèo"
    page = unit.client().get(reverse("households:import_job", args=[job.pk])).content.decode()
    assert 'id="import-changes"' in page and "2.500.000" in page
    assert import_reviews_file.status_code == 302


@pytest.mark.parametrize("state", [ReviewState.SUBMITTED, ReviewState.APPROVED])
def test_the_importer_itself_refuses_a_locked_commune_year_with_the_row(unit, state):
    """ "May this officer change this commune-year" is the importer's own check, so a caller of
    import_reviews(user=…) other than the upload page gets it too, with each row's number."""
    ReviewFactory(household__code=unit.code("H1"), household__commune=unit.commune, state=state)
    ReviewFactory(
        household__code=unit.code("H2", unit.other_commune),
        household__commune=unit.other_commune,
        state=ReviewState.DRAFT,
    )
    before = list(Review.objects.order_by("pk").values())
    rows = [
        review_row(unit.code("H2", unit.other_commune), unit.other_commune, income=900_000),  # open year: fine
        review_row(unit.code("H9"), unit.commune),  # a new household in the locked year
        review_row(unit.code("H1"), unit.commune, income=9_000_000),  # a locked review changed
    ]
    with pytest.raises(ImportRefused) as refused:
        import_reviews(io.BytesIO(csv_bytes(rows)), filename="a.csv", user=unit.officer)
    errors = refused.value.errors
    assert [(e.row, e.column) for e in errors] == [(3, "year"), (4, "year")]
    verb = "đã gửi phê duyệt" if state == ReviewState.SUBMITTED else "đã được phê duyệt"
    assert verb in str(errors[0]) and "không thể thêm hộ mới" in str(errors[0])
    assert verb in str(errors[1]) and "không thể sửa" in str(errors[1])
    assert list(Review.objects.order_by("pk").values()) == before
    # The administrator may.
    admin = UserFactory(username="admin", role=Role.ADMINISTRATOR, unit=unit.district.parent)
    assert import_reviews(io.BytesIO(csv_bytes(rows)), filename="a.csv", user=admin).reviews_created == 1
