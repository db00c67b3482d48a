"""Where the rest of the app tells the re-identification pipeline that something changed.

Ingest, decisions and catalogue imports call these; they queue the `gpu`-queue tasks of
worker.tasks.reid (and the decision counter on the `cpu` queue, worker.tasks.bookkeeping)
after the surrounding transaction commits. With REIDSITE_ENABLE_REID off
(ingest benchmarks, most unit tests) nothing is queued.

The tasks are sent by name (`queueing.send_on_commit`), so recording a decision never imports
torch into a web process.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings

from .queueing import send_on_commit

DETECT_BATCH_TASK = "worker.tasks.detection.detect_batch"
PROCESS_BATCH_TASK = "worker.tasks.reid.process_batch"
UPDATE_GALLERY_TASK = "worker.tasks.reid.update_gallery"
MATCH_TASK = "worker.tasks.reid.match"
COUNT_DECISION_TASK = "worker.tasks.bookkeeping.count_decision"


def batch_ingested(batch_id: int) -> None:
    """A batch's images are stored: find the animals in its frames; the detection task then
    queues feature extraction and matching of the sightings it made."""
    if settings.REIDSITE_ENABLE_REID:
        send_on_commit(DETECT_BATCH_TASK, batch_id)


def boxes_changed(batch_id: int) -> None:
    """Sightings of a batch got new boxes (imported detections, an expert's edit): extract and
    match those that lack current features."""
    if settings.REIDSITE_ENABLE_REID:
        send_on_commit(PROCESS_BATCH_TASK, batch_id)


def sightings_changed(sighting_ids: Iterable[int]) -> None:
    """Sightings got a new box: extract their features again and match them."""
    if settings.REIDSITE_ENABLE_REID:
        send_on_commit(MATCH_TASK, sorted(set(sighting_ids)))


def identities_changed(project_id: int, sighting_ids: Iterable[int]) -> None:
    """Sightings were confirmed, re-assigned or un-confirmed: update the gallery and re-score
    the project's pending sightings against the changed gallery images only."""
    if settings.REIDSITE_ENABLE_REID:
        send_on_commit(UPDATE_GALLERY_TASK, project_id, sorted(set(sighting_ids)))


def decision_recorded(project_id: int) -> None:
    """Count decisions; every REIDSITE_CALIBRATION_REFIT_EVERY of them, refit calibration."""
    if settings.REIDSITE_ENABLE_REID:
        send_on_commit(COUNT_DECISION_TASK, project_id)
