"""The detection stage, on the `gpu` queue: between ingest and feature extraction.

`detect_batch` finds the animals in a batch's waiting frames one chunk per task run,
re-queueing itself until none wait, then queues matching of the sightings it made. It takes
an id and can run twice: a frame already detected is no longer waiting, and re-applying a
frame's detections replaces them (services.detections).
"""

from __future__ import annotations

from celery import shared_task

from identification.models import Batch
from identification.services import reid_hooks, tracks
from worker.reid import detection
from worker.tasks.options import TimeLimits

TIME_LIMITS: TimeLimits = {"soft_time_limit": 20 * 60, "time_limit": 25 * 60}


@shared_task(**TIME_LIMITS)
def detect_batch(batch_id: int) -> None:
    batch = Batch.objects.select_related("project").filter(pk=batch_id).first()
    if batch is None:
        return
    if detection.detect_chunk(batch):
        detect_batch.delay(batch_id)
    else:
        # Boxes known: link each event's frames into tracks before they are matched.
        tracks.link_batch(batch)
        reid_hooks.boxes_changed(batch_id)
