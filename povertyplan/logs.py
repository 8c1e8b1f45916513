"""Logs an operator can feed to a log collector: with LOG_FORMAT=json, one JSON object per line
per record, carrying the request's id and the signed-in user and unit (or the Celery task's id
and name); plain text otherwise (`make run`).

One line per request (logger povertyplan.requests, INFO: seen with LOG_LEVEL=INFO): method, path
without its query string (a search may hold a household head's name), status, duration, user,
unit. Never a household's personal data: the records name accounts and units, not households.
The request id is nginx's (X-Request-ID, deploy/nginx) when it looks like one, else a new one;
it is sent back in the response's X-Request-ID header so a user's report can be found in the log.
"""

from __future__ import annotations

import contextvars
import datetime
import json
import logging
import re
import time
import uuid

CURRENT_REQUEST: contextvars.ContextVar = contextvars.ContextVar("current_request", default=None)
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
CONTEXT_FIELDS = ("request_id", "user", "unit", "task_id", "task_name")
REQUEST_FIELDS = ("method", "path", "status", "duration_ms")

requests_log = logging.getLogger("povertyplan.requests")


def _user_and_unit(request) -> tuple[str | None, str | None]:
    """The user only if the request has already loaded it (AuthenticationMiddleware caches it in
    _cached_user): a log record must never be the thing that queries the database."""
    user = getattr(request, "_cached_user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        return None, None
    unit = getattr(user, "unit", None)
    return user.get_username(), getattr(unit, "code", None)


class ContextFilter(logging.Filter):
    """Adds the request's id, user and unit, or the running Celery task's id and name, to every
    record (None where there is none)."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = CURRENT_REQUEST.get()
        record.request_id = getattr(request, "request_id", None)
        record.user, record.unit = _user_and_unit(request) if request is not None else (None, None)
        record.task_id = record.task_name = None
        from celery._state import get_current_task

        task = get_current_task()
        if task is not None and task.request.id:
            record.task_id, record.task_name = task.request.id, task.name
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line (a traceback goes into "exception" as a string)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for field in CONTEXT_FIELDS + REQUEST_FIELDS:
            value = getattr(record, field, None)
            if value is not None:
                entry[field] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class RequestLogMiddleware:
    """Gives each request its id (kept for the records it causes) and logs one line when it ends."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get("X-Request-ID", "")
        request.request_id = given if REQUEST_ID.match(given) else uuid.uuid4().hex
        token = CURRENT_REQUEST.set(request)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response.headers.setdefault("X-Request-ID", request.request_id)
            requests_log.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
            return response
        finally:
            CURRENT_REQUEST.reset(token)
