"""Ingest tasks on the `cpu` queue: expand a zip, store images in chunks, finish the batch.

Tasks take ids and may run twice: a worker killed mid-way has its task re-delivered
(acks_late), and the re-run skips whatever the first run already recorded.
"""

from __future__ import annotations

from celery import shared_task

from identification.models import Batch
from identification.services import batches as batch_service

LIMITS = {"soft_time_limit": 15 * 60, "time_limit": 20 * 60}


@shared_task(**LIMITS)
def start_batch(batch_id: int) -> None:
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


@shared_task(**LIMITS)
def process_items(batch_id: int, item_ids: list[int]) -> None:
    batch = Batch.objects.select_related("project", "deployment").filter(pk=batch_id).first()
    if batch is None:
        return
    batch_service.process_items(batch, item_ids)
    batch_service.finish_if_done(batch_id)
