"""Admin: the recompute runs, to see when each ran, how long it took and why one failed.

Runs are made by Celery (or `recompute_progress`), never by hand; the schedule itself lives in
django-celery-beat's *Periodic tasks*.
"""

from django.contrib import admin

from povertyplan.admin import ReadOnlyAdmin
from reports.models import RecomputeRun


@admin.register(RecomputeRun)
class RecomputeRunAdmin(ReadOnlyAdmin):
    list_display = ["pk", "status", "is_current", "requested_by", "year", "created_at", "finished_at", "rows"]
    list_filter = ["status", "is_current"]
    search_fields = ["requested_by", "error"]
    date_hierarchy = "created_at"
