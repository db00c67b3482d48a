"""On Redis, what an expert waits for (a confirmation's gallery update, a redrawn box's
re-match) is served before batch work queued earlier on the same `gpu` worker (#14): the task
routes give them a higher priority. The tasks here name no existing batch or project, so each
returns at once: what is checked is the order the worker took them in."""

import re

import pytest

from worker.tasks import detection as detection_tasks
from worker.tasks import reid as reid_tasks

from .conftest import wait_for

pytestmark = [pytest.mark.services, pytest.mark.slow]

RECEIVED = re.compile(r"Task (worker\.tasks\.\w+\.\w+)\[[^\]]+\] received")


def test_a_gallery_update_queued_after_batch_chunks_runs_before_them(start_worker, db):
    missing = 10**9
    for offset in range(3):
        reid_tasks.process_batch.delay(missing + offset)
    detection_tasks.detect_batch.delay(missing)
    reid_tasks.calibrate_from_gallery.delay(missing)
    reid_tasks.update_gallery.delay(missing, [missing])
    reid_tasks.match.delay([missing])

    worker = start_worker("gpu")

    def received() -> list[str]:
        return RECEIVED.findall(worker.log.read_text(errors="replace"))

    wait_for(lambda: len(received()) == 7, 120, "all seven tasks", worker)
    order = [name.rsplit(".", 1)[1] for name in received()]
    assert set(order[:2]) == {"update_gallery", "match"}, order
    assert order[2] == "calibrate_from_gallery", order
    assert sorted(order[3:]) == ["detect_batch", *["process_batch"] * 3], order
