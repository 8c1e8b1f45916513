"""Celery tasks of the households app: thin adapters that take ids (docs/architecture.md)."""

from __future__ import annotations

import datetime

from celery import shared_task
from django.utils import timezone

from households import uploads


@shared_task(name="households.run_import_job", acks_late=True)
def run_import_job(job_id: int) -> str:
    """Preview or import an uploaded review file; the outcome is stored on the ImportJob row."""
    uploads.run_job(job_id)
    return f"import job {job_id} done"


@shared_task(name="households.clean_stale_import_jobs")
def clean_stale_import_jobs() -> int:
    """Daily at 02:30 (migration 0005, editable in the admin): unconfirmed previews after 7 days, dead jobs after 6 hours."""
    return uploads.clean_stale_jobs(
        now=timezone.now(), keep_previews=datetime.timedelta(days=7), running_limit=datetime.timedelta(hours=6)
    )
