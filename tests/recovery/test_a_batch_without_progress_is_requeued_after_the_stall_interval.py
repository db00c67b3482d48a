"""A batch whose task was lost (Redis lost its data, a worker died) is queued again by the
sweeper once it has made no progress for the stall interval, and then finishes."""

import pytest

from identification.models import Batch, BatchItem, Media, Sighting
from identification.services import batches as batch_service

from .conftest import stage

pytestmark = pytest.mark.django_db


def test_a_batch_at_25_of_50_with_no_queued_message_is_requeued_and_finishes(
    project, ranger, sweep_at, stall_minutes
):
    batch = stage(project, ranger, 50)
    batch_service.start_processing(batch)
    first_chunk, _lost_chunk = batch_service.pending_chunks(batch)
    batch_service.process_items(batch, first_chunk)  # the second chunk's message is gone
    assert batch.counts()["done"] == 25

    assert sweep_at(stall_minutes * 0.9).retried == []  # not yet: it may still be running
    batch.refresh_from_db()
    assert batch.stall_retried_at is None and batch.status == Batch.Status.PROCESSING

    result = sweep_at(stall_minutes + 1)  # the re-queued start_batch runs here (eager)

    assert result.retried == [(batch.pk, "ingest")]
    batch.refresh_from_db()
    assert batch.status == Batch.Status.DONE
    assert batch.stall_retries == 1 and batch.stall_retried_at is not None
    assert batch.counts()["accepted"] == 50
    assert Media.objects.filter(batch=batch).count() == 50
    assert Sighting.objects.filter(media__batch=batch).count() == 50


def test_a_queued_batch_whose_start_was_lost_is_started(project, ranger, sweep_at, stall_minutes):
    batch = stage(project, ranger, 3)  # staged, but start_batch never reached a worker

    sweep_at(stall_minutes + 1)

    batch.refresh_from_db()
    assert batch.status == Batch.Status.DONE
    assert list(batch.items.values_list("status", flat=True)) == [BatchItem.Status.ACCEPTED] * 3


def test_a_finished_batch_is_left_alone(project, ranger, sweep_at, stall_minutes):
    batch = stage(project, ranger, 2)
    batch_service.start_processing(batch)
    for chunk in batch_service.pending_chunks(batch):
        batch_service.process_items(batch, chunk)
    batch_service.finish_if_done(batch.pk)

    assert sweep_at(stall_minutes * 10).retried == []
    batch.refresh_from_db()
    assert batch.stall_retried_at is None
