"""The Celery app. All configuration comes from Django settings with the CELERY_ prefix."""

import os

from celery import Celery
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reidsite.settings")

app = Celery("reidsite")
app.config_from_object("django.conf:settings", namespace="CELERY")
# cpu: EXIF, thumbnails and bookkeeping. gpu: feature extraction and matching.
app.conf.task_queues = (Queue("cpu"), Queue("gpu"))
app.autodiscover_tasks(["worker"], related_name="tasks")
