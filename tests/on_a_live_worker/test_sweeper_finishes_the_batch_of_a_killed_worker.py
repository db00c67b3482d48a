"""kill -9 of a worker mid-chunk: its task stays unacknowledged in Redis for the visibility
timeout (2 h 10 min here, the default). The sweeper, made quick for the test, re-queues the
batch once it stalls, and a restarted worker stores every image exactly once.

REIDSITE_ENABLE_REID is off (tests/conftest.py): the ingest path is what is tested.
"""

import pytest
from django.db.models import Max
from django.utils import timezone

from identification.models import Media, Sighting

from .conftest import QUICK_SWEEPER
from .uploads import N, done_items, upload_large_batch, wait_done, wait_part_way

pytestmark = [pytest.mark.services, pytest.mark.slow]


def test_a_restarted_worker_finishes_a_killed_workers_batch_once_the_sweeper_requeues_it(
    start_worker, client_of, ranger, project
):
    batch = upload_large_batch(client_of(ranger), project)
    beat = start_worker(beat=True, **QUICK_SWEEPER)
    first = start_worker("cpu", **QUICK_SWEEPER)

    wait_part_way(batch, first, below=75, mid_chunk=True)
    first.kill()
    killed = timezone.now()
    assert done_items(batch) < N

    second = start_worker("cpu", **QUICK_SWEEPER)
    wait_done(batch, second, "the sweeper and the second worker to finish the batch")
    # The sweeper re-queued it after the kill, soon after the batch stalled: the 6 s stall
    # and a 2 s beat, with slack for a busy machine, not Redis's 2 h 10 min.
    assert batch.stall_retried_at is not None and batch.stall_retried_at > killed, beat.output()
    stalled_since = batch.items.filter(processed_at__lt=batch.stall_retried_at).aggregate(
        t=Max("processed_at")
    )["t"]
    assert (batch.stall_retried_at - stalled_since).total_seconds() < 60
    counts = batch.counts()
    assert counts["accepted"] == N, counts
    assert counts["duplicate"] == 0 and counts["skipped"] == 0
    media = Media.objects.filter(project=project)
    assert media.count() == N
    assert media.values("sha256").distinct().count() == N
    assert Sighting.objects.filter(project=project).count() == N
    assert Sighting.objects.filter(media__batch=batch).values("media").distinct().count() == N
    linked = list(batch.items.values_list("media", flat=True))
    assert None not in linked and len(set(linked)) == N  # every item its own image
