"""The importer speaks the reader's language (issues 14 and 15): a row's message, its "Dòng N, cột
«…»" framing, the grouped summary, the file limits and the preview's notes are Vietnamese by default
and English where the interface is English, rendered when they are produced. A background job
writes them in its uploader's language, whatever language the worker runs in."""

import datetime
import io
import re

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from households import tasks, uploads
from households.importing.errors import ImportRefused, RowError, summarise
from households.importing.reading import Limits, read_rows
from households.importing.rows import parse_row
from households.models import ImportJob, JobStatus
from tests.builders import csv_bytes, review_row
from tests.factories import Unit

INCOME = "Thu nhập bình quân (đồng/người/tháng)"  # the template's header, the same in both languages
NO_REVIEW_VALUES = {"income": "", **{f"d{i:02d}": "" for i in range(1, 13)}}


def english_client(unit, user=None):
    client = unit.client(user)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"  # the interface's language switch
    return client


def upload(client, content: bytes, name="ra-soat.csv"):
    return client.post(reverse("households:import"), {"file": SimpleUploadedFile(name, content)})


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


# --- the messages themselves (no database) ------------------------------------------------------


def test_a_row_error_is_framed_and_worded_in_the_language_active_when_it_is_produced():
    row = review_row("H1", income="abc", members="")
    with translation.override("en"):
        _, english = parse_row(3, row)
    with translation.override("vi"):
        _, vietnamese = parse_row(3, row)
    with translation.override("en"):
        assert [str(error) for error in english] == [
            "Row 3, column «Số nhân khẩu»: must not be empty",
            f"Row 3, column «{INCOME}»: «abc» must be a number",
        ]
        assert str(RowError(0, "", "x")) == "File: x"
    assert [str(error) for error in vietnamese] == [
        "Dòng 3, cột «Số nhân khẩu»: không được để trống",
        f"Dòng 3, cột «{INCOME}»: «abc» phải là một số",
    ]
    assert str(RowError(0, "", "x")) == "Tệp: x"


def test_the_same_problem_on_many_rows_is_grouped_in_either_language():
    with translation.override("en"):
        errors = [error for number in (2, 3, 4, 9) for error in parse_row(number, review_row("H", members=""))[1]]
        assert summarise(errors) == ["4 rows (2–4, 9), column «Số nhân khẩu»: must not be empty"]
    errors = [error for number in (2, 3, 4, 9) for error in parse_row(number, review_row("H", members=""))[1]]
    assert summarise(errors) == ["4 dòng (2–4, 9), cột «Số nhân khẩu»: không được để trống"]


def test_a_file_limit_is_named_with_the_languages_own_thousands():
    content = b"household_code\n" + b"H\n" * 1_200

    def refusal() -> str:
        with pytest.raises(ImportRefused) as refused:
            list(read_rows(io.BytesIO(content), "big.csv", Limits(rows=1_000)))
        return str(refused.value.errors[0])

    with translation.override("en"):
        assert refusal() == "File: The file has more than 1,000 rows (empty rows included), over the limit; " + (
            "split it into smaller files."
        )
    assert refusal().startswith("Tệp: Tệp có hơn 1.000 dòng (kể cả dòng trống)")


# --- the upload page -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_english_upload_page_shows_english_row_errors(media):
    unit = Unit("a")
    client = english_client(unit)
    rows = [review_row(unit.code(f"H{i}", unit.commune), unit.commune, members="") for i in range(3)] + [
        review_row(unit.code("HX", unit.commune), unit.commune, income="abc"),
        review_row(unit.code("HY", unit.commune), unit.commune, commune_code="99999"),
    ]
    response = upload(client, csv_bytes(rows))
    job = ImportJob.objects.latest("pk")
    assert job.language == "en" and job.status == JobStatus.FAILED
    page = client.get(response.url).content.decode()
    assert "File rejected: 5 errors. No data was written." in page
    assert re.search(r"·\s+5 rows\s+·", page)
    for line in [
        "3 rows (2–4), column «Số nhân khẩu»: must not be empty",
        f"Row 5, column «{INCOME}»: «abc» must be a number",
        "Row 6, column «Mã xã/phường»: code «99999» is not a commune or ward of 2023",
    ]:
        assert f"<li>{line}</li>" in page, line
    assert "Dòng" not in page and "phải là" not in page and "không được để trống" not in page

    # The same file on the Vietnamese interface (the default, whatever the browser's language).
    vietnamese = unit.client()
    response = upload(vietnamese, csv_bytes(rows))
    page = vietnamese.get(response.url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<li>3 dòng (2–4), cột «Số nhân khẩu»: không được để trống</li>" in page
    assert "Row 5" not in page


@pytest.mark.django_db
def test_a_one_row_file_is_one_row_in_english(media):
    unit = Unit("a")
    client = english_client(unit)
    response = upload(client, csv_bytes([review_row(unit.code("H1", unit.commune), unit.commune, income="abc")]))
    assert re.search(r"·\s+1 row\s+·", client.get(response.url).content.decode())


@pytest.mark.django_db
def test_a_refused_workbook_is_said_in_english_on_the_english_upload_form(media):
    unit = Unit("a")
    response = upload(english_client(unit), b"not a zip at all", name="ra-soat.xlsx")
    page = response.content.decode()
    assert response.status_code == 200
    assert "File: The Excel file could not be read (a damaged .xlsx file, or not an .xlsx file)." in page
    assert not ImportJob.objects.exists()


@pytest.mark.django_db
def test_an_english_preview_s_notes_are_english(media):
    unit = Unit("a")
    rows = [
        review_row(unit.code("H1", unit.commune), unit.commune),
        review_row(unit.code("H2", unit.commune), unit.commune, **NO_REVIEW_VALUES),
    ]
    client = english_client(unit)
    response = upload(client, csv_bytes(rows))
    job = ImportJob.objects.latest("pk")
    assert job.preview["notes"] == ["1 row without review values (income, B1 score, indicators), not written."]
    assert job.preview["notes"][0] in client.get(response.url).content.decode()


# --- background jobs -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_background_job_writes_its_messages_in_its_uploaders_language_not_the_workers(
    settings, django_capture_on_commit_callbacks, monkeypatch
):
    settings.IMPORT_BACKGROUND_ROWS = 2
    monkeypatch.setattr(tasks.run_import_job, "delay", lambda job_id: None)
    unit = Unit("a")
    rows = [review_row(unit.code(f"H{i}", unit.commune), unit.commune, income="abc") for i in range(3)]
    jobs = {}
    for language, client in [("en", english_client(unit)), ("vi", unit.client())]:
        with django_capture_on_commit_callbacks(execute=True):
            upload(client, csv_bytes(rows))
        jobs[language] = ImportJob.objects.latest("pk")
        assert jobs[language].background and jobs[language].status == JobStatus.QUEUED

    with translation.override("vi"):  # a worker outside any request: Vietnamese, the default
        tasks.run_import_job(jobs["en"].pk)
    with translation.override("en"):  # a worker that happens to run in English
        tasks.run_import_job(jobs["vi"].pk)
    for job in jobs.values():
        job.refresh_from_db()
    assert jobs["en"].errors == [f"3 rows (2–4), column «{INCOME}»: «abc» must be a number"]
    assert jobs["en"].error_rows[0]["message"] == f"Row 2, column «{INCOME}»: «abc» must be a number"
    assert jobs["vi"].errors == [f"3 dòng (2–4), cột «{INCOME}»: «abc» phải là một số"]


@pytest.mark.django_db
def test_a_job_confirmed_in_english_imports_in_english(settings, django_capture_on_commit_callbacks, monkeypatch):
    settings.IMPORT_BACKGROUND_ROWS = 1
    monkeypatch.setattr(tasks.run_import_job, "delay", lambda job_id: None)
    unit = Unit("a")
    rows = [
        review_row(unit.code("H1", unit.commune), unit.commune),
        review_row(unit.code("H2", unit.commune), unit.commune, **NO_REVIEW_VALUES),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        upload(unit.client(), csv_bytes(rows))  # previewed on the Vietnamese interface
    job = ImportJob.objects.latest("pk")
    with translation.override("en"):  # the worker's own language does not count
        tasks.run_import_job(job.pk)
    job.refresh_from_db()
    assert job.language == "vi" and job.preview["notes"][0].startswith("1 dòng chưa có số liệu rà soát")

    with django_capture_on_commit_callbacks(execute=True):
        english_client(unit).post(reverse("households:import_confirm", args=[job.pk]))
    with translation.override("vi"):
        tasks.run_import_job(job.pk)
    job.refresh_from_db()
    assert job.language == "en" and job.status == JobStatus.SUCCEEDED
    assert job.result["notes"] == ["1 row without review values (income, B1 score, indicators), not written."]


@pytest.mark.django_db
def test_the_sweep_tells_each_uploader_in_their_own_language_that_a_job_died():
    unit = Unit("a")
    dead = {
        language: ImportJob.objects.create(
            user=unit.officer,
            filename="x.csv",
            file_path=f"imports/{language}.csv",
            status="running",
            language=language,
        )
        for language in ("vi", "en")
    }
    later = timezone.now() + datetime.timedelta(days=1)
    swept = uploads.clean_stale_jobs(
        now=later, keep_previews=datetime.timedelta(days=7), running_limit=datetime.timedelta(hours=6)
    )
    assert swept == 2
    for job in dead.values():
        job.refresh_from_db()
    assert dead["en"].errors == ["The import was interrupted; no data was written."]
    assert dead["vi"].errors == ["Lượt nhập bị gián đoạn; không có dữ liệu nào được ghi."]
    assert {job.status for job in dead.values()} == {JobStatus.FAILED}
