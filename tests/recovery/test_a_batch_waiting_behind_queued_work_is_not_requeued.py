"""While messages wait in a stage's queue the workers are behind (or down), not stuck on this
batch: the sweeper adds nothing to the pile. Once the queue is empty it re-queues."""

import pytest

from identification.models import Batch
from identification.services import batches as batch_service
from reidsite.celery import app as celery_app

from .conftest import stage

pytestmark = [pytest.mark.django_db, pytest.mark.services]


def test_a_stalled_batch_is_requeued_only_once_its_queue_is_empty(
    project, ranger, sweep_at, stall_minutes, broker
):
    batch = stage(project, ranger, 3)
    other = stage(project, ranger, 2)
    celery_app.send_task(batch_service.START_BATCH_TASK, args=[other.pk])  # a backlog

    assert sweep_at(stall_minutes + 1).retried == []
    batch.refresh_from_db()
    assert batch.stall_retried_at is None

    celery_app.control.purge()  # say the backlog was worked off, and the other batch too
    Batch.objects.filter(pk=other.pk).update(status=Batch.Status.DONE)
    result = sweep_at(stall_minutes + 1)

    assert result.retried == [(batch.pk, "ingest")]
    assert broker("cpu") == [(batch_service.START_BATCH_TASK, [batch.pk])]


def test_a_second_sweep_before_the_next_interval_sends_nothing_more(
    project, ranger, sweep_at, stall_minutes, broker
):
    batch = stage(project, ranger, 3)
    sweep_at(stall_minutes + 1)
    celery_app.control.purge()  # even with the first retry's message already gone

    assert sweep_at(stall_minutes + 1 + stall_minutes * 0.5).retried == []
    assert broker("cpu") == []
    batch.refresh_from_db()
    assert batch.stall_retries == 1
