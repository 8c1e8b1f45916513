"""The one Celery app of the portal, configured from Django settings (the CELERY_* names).

Broker: Redis in production and CI (CELERY_BROKER_URL); kombu's filesystem transport under
var/broker for `make run`. Results go to the database (django-celery-results), the schedule
lives in the database (django-celery-beat), editable in the admin.
"""

import logging
import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "povertyplan.settings")

app = Celery("povertyplan")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def set_up_django(sender: Celery, **kwargs) -> None:
    """The operators' Celery commands (`celery -A povertyplan call|inspect|purge|status|events`)
    load the django-celery-results backend, whose models need Django set up; a worker sets it up
    itself, these commands do not. Never inside Django's own start-up (apps.loading)."""
    from django.apps import apps

    if not apps.ready and not apps.loading:
        import django

        django.setup()


@signals.after_setup_logger.connect
@signals.after_setup_task_logger.connect
def json_logs(logger: logging.Logger, **kwargs) -> None:
    """With LOG_FORMAT=json the worker's and beat's own records (task received, succeeded in 0.2 s,
    failed) are JSON lines too, with the task's id and name; --loglevel still decides which."""
    from django.conf import settings

    if getattr(settings, "LOG_FORMAT", "plain") != "json":
        return
    from povertyplan.logs import ContextFilter, JsonFormatter

    for handler in logger.handlers:
        handler.setFormatter(JsonFormatter())
        handler.addFilter(ContextFilter())


@app.on_after_configure.connect
def create_broker_folders(sender: Celery, **kwargs) -> None:
    """kombu's filesystem transport neither creates its folders nor says clearly when they are missing."""
    if not str(sender.conf.broker_url).startswith("filesystem://"):
        return
    options = sender.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder"):
        if options.get(key):
            os.makedirs(options[key], exist_ok=True)


def _survive_a_lost_broker_connection() -> None:
    """kombu 5.7 with Redis: when the connection is lost while the worker holds unacknowledged
    messages (a task waiting for its countdown, a task running with acks_late), closing the dead
    connection tries to put them back through a transport whose client is already gone, raises
    AttributeError ("'NoneType' object has no attribute 'hostname'") and the worker exits with
    "Unrecoverable error". The messages stay in Redis's unacked set (restored after the
    visibility timeout) or are lost with a restarted Redis; either way the recompute sweep sends
    a silent run again (reports.tasks.fail_abandoned_runs), so the worker only has to live on and
    reconnect.
    """
    from kombu.transport.virtual import base

    original = base.QoS.restore_unacked_once
    if getattr(original, "survives_lost_connection", False):
        return

    def restore_unacked_once(self, stderr=None):
        try:
            return original(self, stderr)
        except AttributeError:
            logging.getLogger(__name__).warning(
                "broker connection lost: %d unacknowledged message(s) left to the broker", len(self._delivered)
            )

    restore_unacked_once.survives_lost_connection = True
    base.QoS.restore_unacked_once = restore_unacked_once


_survive_a_lost_broker_connection()
