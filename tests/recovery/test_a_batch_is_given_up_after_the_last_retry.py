"""Retries without progress in between are counted; after REIDSITE_SWEEP_MAX_RETRIES of them
the sweeper fails the batch with a message instead of queueing it again. Each retry's message
is purged here, as if a worker crashed on it every time."""

import datetime as dt

import pytest

from identification.models import Batch, BatchItem, Media
from identification.services import batches as batch_service
from reidsite.celery import app as celery_app

from .conftest import stage

pytestmark = [pytest.mark.django_db, pytest.mark.services]


@pytest.fixture
def max_retries(settings):
    settings.REIDSITE_SWEEP_MAX_RETRIES = 3
    return 3


def test_a_batch_that_never_progresses_fails_with_a_message_after_the_last_retry(
    project, ranger, sweep_at, stall_minutes, broker, max_retries
):
    batch = stage(project, ranger, 30)
    batch_service.start_processing(batch)
    batch_service.process_items(batch, batch_service.pending_chunks(batch)[0])  # 25 of 30
    step = stall_minutes + 1
    for retry in range(1, max_retries + 1):
        assert sweep_at(step * retry).retried == [(batch.pk, "ingest")]
        batch.refresh_from_db()
        assert batch.stall_retries == retry
        celery_app.control.purge()

    result = sweep_at(step * (max_retries + 1))

    assert result.given_up == [(batch.pk, "ingest")] and result.retried == []
    batch.refresh_from_db()
    assert batch.status == Batch.Status.FAILED and batch.finished_at is not None
    assert "stalled" in batch.message and f"after {max_retries} retries" in batch.message
    assert "5 files were not processed" in batch.message
    counts = batch.counts()
    assert counts["accepted"] == 25 and counts["skipped"] == 5 and counts["pending"] == 0
    skipped = batch.items.filter(status=BatchItem.Status.SKIPPED)
    assert set(skipped.values_list("reason", flat=True)) == {"stalled"}
    assert Media.objects.filter(batch=batch).count() == 25
    assert broker("cpu") == []  # nothing queued again
    assert sweep_at(step * (max_retries + 5)).given_up == []  # and never again


def test_progress_between_retries_starts_the_count_again(
    project, ranger, sweep_at, stall_minutes, broker, max_retries
):
    batch = stage(project, ranger, 30)
    batch_service.start_processing(batch)
    step = stall_minutes + 1
    for retry in range(1, max_retries + 1):
        sweep_at(step * retry)
        celery_app.control.purge()
    # A worker finally gets through the first chunk, after the last retry on the sweeps' clock.
    chunk = batch_service.pending_chunks(batch)[0]
    batch_service.process_items(batch, chunk)
    batch.refresh_from_db()
    progressed_at = batch.stall_retried_at + dt.timedelta(seconds=1)
    BatchItem.objects.filter(pk__in=chunk).update(processed_at=progressed_at)

    result = sweep_at(step * (max_retries + 2))

    assert result.retried == [(batch.pk, "ingest")] and result.given_up == []
    batch.refresh_from_db()
    assert batch.status == Batch.Status.PROCESSING and batch.stall_retries == 1
