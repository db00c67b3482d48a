"""Redis killed mid-batch and started again with its data gone (a Redis without persistence,
or a lost volume): the queued chunks are lost. The sweeper, made quick for the test, finds the
batch stalled with nothing queued for it and re-queues it; every image is stored once.

REIDSITE_ENABLE_REID is off (tests/conftest.py): the ingest path is what is tested.
"""

import pytest

from identification.models import Media, Sighting

from .conftest import QUICK_SWEEPER
from .uploads import N, upload_large_batch, wait_done, wait_part_way

pytestmark = [pytest.mark.services, pytest.mark.slow]


def test_chunks_lost_with_redis_data_are_requeued_by_the_sweeper(
    start_worker, client_of, ranger, project, redis_server
):
    batch = upload_large_batch(client_of(ranger), project)
    start_worker(beat=True, **QUICK_SWEEPER)
    worker = start_worker("cpu", **QUICK_SWEEPER)

    wait_part_way(batch, worker, below=50)  # chunks 3 to 5 still queued
    redis_server.kill()
    redis_server.start(keep_data=False)

    wait_done(batch, worker, "the sweeper and the worker to finish the batch")
    assert batch.stall_retries >= 1
    counts = batch.counts()
    assert counts["accepted"] == N and counts["duplicate"] == 0, counts
    assert Media.objects.filter(project=project).count() == N
    assert Sighting.objects.filter(project=project).count() == N
    linked = list(batch.items.values_list("media", flat=True))
    assert None not in linked and len(set(linked)) == N
