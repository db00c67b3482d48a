"""Bookkeeping of the re-identification loop, on the `cpu` queue.

The gpu worker runs one task at a time (one process per device, models loaded once), so a
one-row counter update queued there would wait behind a 20-minute batch. Counting decisions
and refitting calibrations (isotonic fits over stored scores, no torch) run here instead.
"""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from identification.services import pipeline_results
from worker.tasks.options import TimeLimits

LIMITS: TimeLimits = {"soft_time_limit": 10 * 60, "time_limit": 15 * 60}


@shared_task(**LIMITS)
def count_decision(project_id: int) -> None:
    """Count a decision; refit the project's calibration every N decisions."""
    if pipeline_results.count_decision(project_id, settings.REIDSITE_CALIBRATION_REFIT_EVERY):
        refit_calibration.delay(project_id)


@shared_task(**LIMITS)
def refit_calibration(project_id: int) -> None:
    """Refit the project's calibrations and threshold from its decisions (idempotent)."""
    from worker.reid.calibration import refit_project_calibration

    refit_project_calibration(project_id)
