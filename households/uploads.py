"""Uploads of the review template through preview and import.

An upload is stored under MEDIA_ROOT/imports/<uuid>.<ext> and becomes an ImportJob. The preview
is the foundation importer's dry run (households.importer.import_reviews, which rolls back so its
figures are exact); confirming runs the same importer for real on the same stored file. Any bad
row refuses the whole file with the importer's row-numbered messages and nothing is written.
Files above IMPORT_BACKGROUND_ROWS rows run as a Celery task (households.tasks) that takes the
job id; the task writes its progress to a small file beside the upload, since the import's own
transaction hides the job row's updates until it commits.

Messages (row errors, notes) are rendered once, when the job runs, in the uploader's language: the
job stores the language active when the file was uploaded (or confirmed), and run_job activates it,
so a Celery worker, outside any request, writes them as the request would have.

Downloads in the same layout live in households.exports.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import logging
import re
import time
import uuid
import zipfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from households.importer import ImportRefused, RowError, import_reviews
from households.importing.errors import summarise
from households.importing.reading import check_workbook, current_limits
from households.models import (
    AdministrativeUnit,
    ImportJob,
    JobStage,
    JobStatus,
    ReviewState,
)
from households.visibility import can_write

logger = logging.getLogger(__name__)

ALLOWED_SUFFIXES = (".xlsx", ".csv")
IMPORT_DIR = "imports"
# A job run inside a request is dead once no request could still be running it.
SYNC_RUNNING_LIMIT = datetime.timedelta(minutes=15)
ORPHAN_FILE_AGE = datetime.timedelta(hours=1)


def background_threshold() -> int:
    """Files with more data rows than this run as a Celery task."""
    return int(getattr(settings, "IMPORT_BACKGROUND_ROWS", 5000))


def max_upload_bytes() -> int:
    return int(getattr(settings, "IMPORT_MAX_UPLOAD_BYTES", 50 * 1024 * 1024))


def job_path(job: ImportJob) -> Path:
    return Path(settings.MEDIA_ROOT) / job.file_path


def _progress_path(job: ImportJob) -> Path:
    return job_path(job).with_suffix(".progress")


# ---------------------------------------------------------------------------------------------
# Jobs: visibility and the services behind the upload pages


def start_upload(
    *,
    user,
    uploaded,
    sync: bool | None = None,
    stage: str = JobStage.PREVIEW,
    review_state: str = ReviewState.DRAFT,
) -> ImportJob:
    """Store an uploaded file and preview it (or, for the API, import it straight away): now when
    small, in a Celery task when large.

    Raises ValidationError (wrong type, too big, empty) before anything is stored.
    """
    if not can_write(user):
        raise PermissionDenied(_("Tài khoản của bạn chỉ được xem, không được nhập dữ liệu."))
    name = Path(uploaded.name or "").name
    suffix = Path(name).suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        raise ValidationError(_("Chỉ nhận tệp .xlsx hoặc .csv (tệp «%(name)s» không đúng loại).") % {"name": name})
    if uploaded.size > max_upload_bytes():
        raise ValidationError(_("Tệp quá lớn (tối đa %(size)s MB).") % {"size": max_upload_bytes() // (1024 * 1024)})
    if not uploaded.size:
        raise ValidationError(_("Tệp rỗng."))
    relative = f"{IMPORT_DIR}/{uuid.uuid4().hex}{suffix}"
    target = Path(settings.MEDIA_ROOT) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    # No file stays on disk without its job row: whatever stops us before the row exists (a
    # refused workbook, a killed request) removes it; clean_stale_jobs sweeps what a killed
    # process could not.
    try:
        with target.open("wb") as out:
            for chunk in uploaded.chunks():
                out.write(chunk)
        if suffix == ".xlsx":
            check_workbook(target, current_limits())  # before counting its rows streams the sheet
        total = count_data_rows(target)
        job = ImportJob.objects.create(
            user=user,
            unit=getattr(user, "unit", None),
            filename=name[:255],
            file_path=relative,
            stage=stage,
            review_state=review_state,
            language=_language(),
            rows_total=total,
            background=total > background_threshold() if sync is None else not sync,
        )
    except ImportRefused as refused:
        target.unlink(missing_ok=True)
        raise ValidationError(summarise(refused.errors)) from refused
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return _dispatch(job)


def confirm(*, user, job: ImportJob) -> ImportJob:
    """Import for real the file that was previewed (never re-uploaded)."""
    _check_owner(user, job)
    if job.stage != JobStage.PREVIEW or job.status != JobStatus.SUCCEEDED:
        raise ValidationError(_("Chỉ xác nhận được một tệp đã xem trước thành công và chưa nhập."))
    if not job_path(job).exists():
        raise ValidationError(_("Tệp đã tải lên không còn trên máy chủ; hãy tải lên lại."))
    claimed = ImportJob.objects.filter(pk=job.pk, stage=JobStage.PREVIEW, status=JobStatus.SUCCEEDED).update(
        stage=JobStage.IMPORT,
        status=JobStatus.QUEUED,
        language=_language(),
        rows_done=0,
        errors=[],
        error_rows=[],
        started_at=None,
        finished_at=None,
    )
    if not claimed:  # a second click while the first confirm runs
        raise ValidationError(_("Tệp này đang được nhập."))
    job.refresh_from_db()
    return _dispatch(job)


def discard(*, user, job: ImportJob) -> ImportJob:
    """Drop a previewed file without importing it."""
    _check_owner(user, job)
    if job.is_active or job.stage == JobStage.IMPORT and job.status == JobStatus.SUCCEEDED:
        raise ValidationError(_("Không thể hủy lượt nhập này."))
    job.status = JobStatus.DISCARDED
    job.finished_at = job.finished_at or timezone.now()
    job.save(update_fields=["status", "finished_at"])
    _remove_file(job)
    return job


def _language() -> str:
    """The language of the request uploading or confirming a file (Vietnamese outside a request)."""
    return translation.get_language() or settings.LANGUAGE_CODE


def _check_owner(user, job: ImportJob) -> None:
    if not ImportJob.objects.visible_to(user).filter(pk=job.pk).exists():
        raise PermissionDenied(_("Lượt nhập này không phải của bạn."))


def _dispatch(job: ImportJob) -> ImportJob:
    if job.background:
        from households.tasks import run_import_job

        job_id = job.pk
        transaction.on_commit(lambda: run_import_job.delay(job_id))
        return job
    run_job(job.pk)
    job.refresh_from_db()
    return job


# ---------------------------------------------------------------------------------------------
# Running a job (the Celery task calls this with the id)


def run_job(job_id: int) -> None:
    """Preview or import the job's file; the outcome is stored on the job, never raised."""
    claimed = ImportJob.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=timezone.now(), rows_done=0
    )
    if not claimed:
        return  # a redelivered message, or a discarded job
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    with translation.override(job.language):
        _run_claimed(job)


def _run_claimed(job: ImportJob) -> None:
    job_id = job.pk
    dry_run = job.stage == JobStage.PREVIEW
    outcome: dict = {}
    try:
        result = _import(job, dry_run=dry_run)
        outcome = {"status": JobStatus.SUCCEEDED, "errors": [], "error_rows": []}
        outcome["preview" if dry_run else "result"] = _summary(result)
    except ImportRefused as refused:
        outcome = _failure(refused.errors)
    except FileNotFoundError:
        outcome = _failure(message=_("Tệp đã tải lên không còn trên máy chủ."))
    except Exception:  # noqa: BLE001 - the officer sees a failed job, the log keeps the trace
        logger.exception("import job %s failed", job_id)
        outcome = _failure(message=_("Lỗi hệ thống khi nhập tệp; hãy báo quản trị viên."))
    ImportJob.objects.filter(pk=job_id).update(
        rows_done=job.rows_total if outcome["status"] == JobStatus.SUCCEEDED else 0,
        finished_at=timezone.now(),
        **outcome,
    )
    if outcome["status"] == JobStatus.FAILED or not dry_run:
        _remove_file(job)
    else:
        _progress_path(job).unlink(missing_ok=True)


def _failure(errors: list[RowError] = (), *, message: str = "") -> dict:
    """A failed job: the messages the page lists, and the same errors by row for the API."""
    if message:
        return {
            "status": JobStatus.FAILED,
            "errors": [message],
            "error_rows": [{"row": 0, "column": "", "message": message}],
        }
    return {
        "status": JobStatus.FAILED,
        "errors": summarise(list(errors)),
        "error_rows": [{"row": e.row, "column": e.column, "message": str(e)} for e in errors],
    }


def _import(job: ImportJob, *, dry_run: bool):
    """The importer over the job's stored file, reporting progress to the page. Whether the officer
    may change each commune-year is the importer's own check (households.importing.writers)."""
    with job_path(job).open("rb") as source:
        return import_reviews(
            source,
            filename=job.filename,
            user=job.user,
            state=job.review_state,
            dry_run=dry_run,
            progress=_Progress(job),
        )


class _Progress:
    """The importer's progress callback: writes the progress file the page polls (at most twice a second)."""

    def __init__(self, job: ImportJob):
        self.path = _progress_path(job)
        self.total = job.rows_total
        self.last = 0.0

    def __call__(self, processed: int) -> None:
        now = time.monotonic()
        if now - self.last >= 0.5:
            self.last = now
            with contextlib.suppress(OSError):
                self.path.write_text(json.dumps({"done": min(processed, self.total)}))


def _summary(result) -> dict:
    summary = result.as_dict()
    communes = AdministrativeUnit.objects.filter(pk__in=result.commune_ids).order_by("name")
    summary["communes"] = [f"{c.name} ({c.code})" for c in communes]
    return summary


def _remove_file(job: ImportJob) -> None:
    for path in (job_path(job), _progress_path(job)):
        path.unlink(missing_ok=True)


def count_data_rows(path: Path) -> int:
    """Rows below the header: a cheap count, to choose between now and the background.

    For a workbook, the `<row>` elements of its first sheet are counted in the compressed stream
    (a fraction of a second for 50,000 rows, where openpyxl would parse every cell).
    """
    if path.suffix.lower() == ".csv":
        with path.open("rb") as stream:
            lines = sum(1 for line in stream if line.strip())
        return max(lines - 1, 0)
    try:
        with zipfile.ZipFile(path) as archive:
            sheets = sorted(
                (name for name in archive.namelist() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", name)),
                key=lambda name: int(re.sub(r"\D", "", name)),
            )
            if not sheets:
                return 0
            rows, tail = 0, b""
            with archive.open(sheets[0]) as sheet:
                while chunk := sheet.read(1 << 20):
                    data = tail + chunk
                    rows += len(_ROW_TAG.findall(data))
                    tail = data[-16:]
                    rows -= len(_ROW_TAG.findall(tail))  # counted again with the next chunk
            rows += len(_ROW_TAG.findall(tail))
    except (zipfile.BadZipFile, OSError, KeyError):
        return 0  # an unreadable file is refused with the importer's message
    return max(rows - 1, 0)


_ROW_TAG = re.compile(rb"<(?:\w+:)?row[\s>/]")


def rows_done(job: ImportJob) -> int:
    """How many rows a job has processed, read from its progress file while it runs."""
    if job.status != JobStatus.RUNNING:
        return job.rows_done
    try:
        return int(json.loads(_progress_path(job).read_text())["done"])
    except (OSError, ValueError, KeyError, TypeError):
        return job.rows_done


def clean_stale_jobs(
    *, now: datetime.datetime, keep_previews: datetime.timedelta, running_limit: datetime.timedelta
) -> int:
    """Periodic: previews never confirmed lose their file; jobs whose worker died are marked failed."""
    stale = ImportJob.objects.filter(
        stage=JobStage.PREVIEW, status=JobStatus.SUCCEEDED, finished_at__lt=now - keep_previews
    )
    count = 0
    for job in stale:
        _remove_file(job)
        with translation.override(job.language):
            job.status, job.errors = JobStatus.DISCARDED, [_("Bản xem trước quá hạn; hãy tải tệp lên lại.")]
        job.save(update_fields=["status", "errors"])
        count += 1
    # A job run inside a request (not in the background) cannot outlive the request: past
    # SYNC_RUNNING_LIMIT its process was killed. Background jobs get `running_limit`.
    dead = ImportJob.objects.filter(status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).filter(
        Q(created_at__lt=now - running_limit) | Q(background=False, created_at__lt=now - SYNC_RUNNING_LIMIT)
    )
    for job in dead:
        _remove_file(job)
    for language in set(dead.values_list("language", flat=True)):  # each in its uploader's language
        with translation.override(language):
            message = _("Lượt nhập bị gián đoạn; không có dữ liệu nào được ghi.")
        count += dead.filter(language=language).update(status=JobStatus.FAILED, finished_at=now, errors=[message])
    return count + _remove_orphan_files(now=now)


def _remove_orphan_files(*, now: datetime.datetime) -> int:
    """Files under imports/ that no job names, left by a process killed mid-upload."""
    folder = Path(settings.MEDIA_ROOT) / IMPORT_DIR
    if not folder.is_dir():
        return 0
    known = {Path(path).stem for path in ImportJob.objects.values_list("file_path", flat=True)}
    cutoff = (now - ORPHAN_FILE_AGE).timestamp()
    removed = 0
    for path in folder.iterdir():
        # A job's upload and its progress file share the job's uuid as their stem.
        if path.is_file() and path.stem not in known and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
