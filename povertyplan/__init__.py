"""The Hanoi poverty-reduction target portal (Plan 51-KH/TU)."""

# Load the Celery app whenever Django starts, so @shared_task binds to it (cookiecutter-django).
from povertyplan.celery import app as celery_app

__all__ = ("celery_app",)
