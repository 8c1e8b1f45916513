"""Celery tasks of the households app: thin adapters that take ids (STYLE.md, principle 9)."""

from __future__ import annotations

from celery import shared_task

from households import uploads


@shared_task(name="households.run_import_job", acks_late=True)
def run_import_job(job_id: int) -> str:
    """Preview or import an uploaded review file; the outcome is stored on the ImportJob row."""
    uploads.run_job(job_id)
    return f"import job {job_id} done"
