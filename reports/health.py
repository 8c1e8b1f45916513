"""/readyz: what an operator's monitor asks every minute. /healthz stays trivial (the database).

Ready means: the database answers, the broker answers, a worker answers a ping, and the last
successful full recompute (the nightly run, or any run of every year) is at most 26 hours old:
the figures leaders read are yesterday's at worst. Each check says ok or not and, where it has
one, a number (an age, how many workers); never an error text (hosts, ports), since any caller
may ask. 200 when every check passes, 503 otherwise.
"""

from __future__ import annotations

import datetime
import logging

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone

from povertyplan import celery_app
from reports.models import RecomputeRun, RunStatus

logger = logging.getLogger(__name__)

STALE_AFTER = datetime.timedelta(hours=26)


def _database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # noqa: BLE001 - any failure means not ready
        logger.exception("readyz: the database does not answer")
        return {"ok": False}
    return {"ok": True}


def _broker() -> dict:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception:  # noqa: BLE001
        logger.exception("readyz: the broker does not answer")
        return {"ok": False}
    return {"ok": True}


def _workers() -> dict:
    try:
        replies = celery_app.control.ping(timeout=1.0) or []
    except Exception:  # noqa: BLE001 - a transport without broadcast (the embedded one) cannot tell
        logger.warning("readyz: workers cannot be pinged on this broker", exc_info=True)
        return {"ok": True, "workers": None}
    return {"ok": bool(replies), "workers": len(replies)}


def _last_full_recompute(now: datetime.datetime) -> dict:
    finished = (
        RecomputeRun.objects.filter(status=RunStatus.SUCCEEDED, year__isnull=True)
        .order_by("-finished_at")
        .values_list("finished_at", flat=True)
        .first()
    )
    if finished is None:
        return {"ok": False, "age_hours": None}
    age = now - finished
    return {"ok": age <= STALE_AFTER, "age_hours": round(age.total_seconds() / 3600, 1), "at": finished.isoformat()}


def readyz(request: HttpRequest) -> JsonResponse:
    checks = {
        "database": _database(),
        "broker": _broker(),
        "workers": _workers(),
        "last_full_recompute": _last_full_recompute(timezone.now()),
    }
    ok = all(check["ok"] for check in checks.values())
    return JsonResponse({"status": "ok" if ok else "fail", "checks": checks}, status=200 if ok else 503)
