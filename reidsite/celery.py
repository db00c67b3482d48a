"""The Celery app. All configuration comes from Django settings with the CELERY_ prefix."""

import os
from pathlib import Path

from celery import Celery
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reidsite.settings")

app = Celery("reidsite")
app.config_from_object("django.conf:settings", namespace="CELERY")


def _ensure_filesystem_broker_folders() -> None:
    # kombu's filesystem transport (the demo's embedded broker) needs its folders to exist.
    from django.conf import settings

    options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {})
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if key in options:
            Path(options[key]).mkdir(parents=True, exist_ok=True)


_ensure_filesystem_broker_folders()
# cpu: EXIF, thumbnails and bookkeeping. gpu: feature extraction and matching.
app.conf.task_queues = (Queue("cpu"), Queue("gpu"))
app.autodiscover_tasks(["worker"], related_name="tasks")
