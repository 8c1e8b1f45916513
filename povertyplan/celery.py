"""The one Celery app of the portal, configured from Django settings (the CELERY_* names).

Broker: Redis in production and CI (CELERY_BROKER_URL); kombu's filesystem transport under
var/broker for `make run`. Results go to the database (django-celery-results), the schedule
lives in the database (django-celery-beat), editable in the admin.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "povertyplan.settings")

app = Celery("povertyplan")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def create_broker_folders(sender: Celery, **kwargs) -> None:
    """kombu's filesystem transport neither creates its folders nor says clearly when they are missing."""
    if not str(sender.conf.broker_url).startswith("filesystem://"):
        return
    options = sender.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder"):
        if options.get(key):
            os.makedirs(options[key], exist_ok=True)
