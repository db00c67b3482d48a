"""The sweeper's beat task, on the `cpu` queue: identification.services.sweeper does the work.

celery beat sends it every REIDSITE_SWEEP_INTERVAL_SECONDS (CELERY_BEAT_SCHEDULE in
reidsite/settings.py), each message expiring after one interval. A sweep reads a few rows per
unfinished batch and re-sends tasks by name; two sweeps at once re-queue a batch only once.
"""

from __future__ import annotations

from celery import shared_task

from identification.services import sweeper
from worker.tasks.options import TimeLimits

# A sweep takes milliseconds; the limits only keep a stuck database from holding a worker.
LIMITS: TimeLimits = {"soft_time_limit": 120, "time_limit": 180}


@shared_task(**LIMITS)
def sweep_stalled_batches() -> dict[str, list]:
    result = sweeper.sweep()
    return {
        "retried": result.retried,
        "given_up": result.given_up,
        "trainings": result.trainings,
        "reembeddings": result.reembeddings,
    }
