"""Redis killed mid-batch and started again from its append-only file, as production runs it:
the queued chunks are still there and the worker, once reconnected, finishes the batch. No
sweeper runs here, so it is the persistence alone that saves the batch.

REIDSITE_ENABLE_REID is off (tests/conftest.py): the ingest path is what is tested.
"""

import pytest

from identification.models import Media, Sighting

from .uploads import N, upload_large_batch, wait_done, wait_part_way

pytestmark = [pytest.mark.services, pytest.mark.slow]


def test_queued_chunks_survive_a_redis_restart_and_the_batch_finishes(
    start_worker, client_of, ranger, project, redis_server
):
    batch = upload_large_batch(client_of(ranger), project)
    worker = start_worker("cpu")

    wait_part_way(batch, worker, below=50)  # chunks 3 to 5 still queued
    redis_server.kill()
    redis_server.start(keep_data=True)

    wait_done(batch, worker, "the reconnected worker to finish the batch")
    assert batch.stall_retried_at is None  # no sweeper was involved
    assert batch.counts()["accepted"] == N
    assert Media.objects.filter(project=project).count() == N
    assert Sighting.objects.filter(project=project).count() == N
