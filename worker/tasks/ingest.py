"""Ingest tasks: expand a zip, store images in chunks, finish the batch.

They go to the `cpu` queue (CELERY_TASK_DEFAULT_QUEUE; only worker.tasks.reid is routed to
`gpu`).

Tasks take ids and may run twice: a worker killed mid-way has its task re-delivered
(acks_late), and the re-run skips whatever the first run already recorded.
"""

from __future__ import annotations

from celery import shared_task
from django.db import DatabaseError

from identification.models import Batch
from identification.services import batches as batch_service
from worker.tasks.options import Retry, TimeLimits

# A chunk of 25 camera-trap images takes seconds; a zip's member list, well under a minute.
LIMITS: TimeLimits = {"soft_time_limit": 15 * 60, "time_limit": 20 * 60}
# A database hiccup is retried; the re-run skips whatever the first run recorded.
RETRY: Retry = {"autoretry_for": (DatabaseError,), "retry_backoff": 5, "max_retries": 5}


@shared_task(**LIMITS, **RETRY)
def start_batch(batch_id: int) -> None:
    """Expand a zip into items (or mark a files batch started), then queue its chunks."""
    batch = Batch.objects.filter(pk=batch_id).first()
    if batch is None or batch.is_finished:
        return
    if batch.kind == Batch.Kind.ZIP:
        batch_service.expand_archive(batch)
        batch.refresh_from_db()
        if batch.is_finished:  # an unreadable zip
            return
    else:
        batch_service.start_processing(batch)
    chunks = batch_service.pending_chunks(batch)
    for item_ids in chunks:
        process_items.delay(batch_id, item_ids)
    if not chunks:
        batch_service.finish_if_done(batch_id)


@shared_task(**LIMITS, **RETRY)
def process_items(batch_id: int, item_ids: list[int]) -> None:
    """Store the chunk's still-pending items; the last chunk to end finishes the batch."""
    batch = Batch.objects.select_related("project", "deployment").filter(pk=batch_id).first()
    if batch is None:
        return
    batch_service.process_items(batch, item_ids)
    batch_service.finish_if_done(batch_id)
