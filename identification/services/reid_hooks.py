"""Where the rest of the app tells the re-identification pipeline that something changed.

Ingest, decisions and catalogue imports call these; they queue the `gpu`-queue tasks of
worker.tasks.reid after the surrounding transaction commits. With REIDSITE_ENABLE_REID off
(ingest benchmarks, most unit tests) nothing is queued.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings


def batch_ingested(batch_id: int) -> None:
    """A batch's images are stored: extract features of its sightings, then match them."""
    if not settings.REIDSITE_ENABLE_REID:
        return
    from worker.tasks.reid import process_batch

    process_batch.delay_on_commit(batch_id)


def identities_changed(project_id: int, sighting_ids: Iterable[int]) -> None:
    """Sightings were confirmed, re-assigned or un-confirmed: update the gallery and re-score
    the project's pending sightings against the changed gallery images only."""
    if not settings.REIDSITE_ENABLE_REID:
        return
    from worker.tasks.reid import update_gallery

    update_gallery.delay_on_commit(project_id, sorted(set(sighting_ids)))


def decision_recorded(project_id: int) -> None:
    """Count decisions; every REIDSITE_CALIBRATION_REFIT_EVERY of them, refit calibration."""
    if not settings.REIDSITE_ENABLE_REID:
        return
    from worker.tasks.reid import count_decision

    count_decision.delay_on_commit(project_id)
