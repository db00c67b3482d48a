"""Redis re-delivers an unacknowledged task after the visibility timeout: every task's hard
time limit must end before it, or a task still running is handed to a second worker. The
timeout must not be much longer either: it is how long a killed worker's task waits."""

import datetime as dt

from django.conf import settings

from reidsite.celery import app


def _worker_tasks():
    import worker.tasks  # noqa: F401 - registers them

    return {name: task for name, task in app.tasks.items() if name.startswith("worker.")}


def test_every_task_has_a_hard_time_limit_below_the_visibility_timeout():
    timeout = settings.REIDSITE_VISIBILITY_TIMEOUT
    limits = {
        name: task.time_limit or settings.CELERY_TASK_TIME_LIMIT
        for name, task in _worker_tasks().items()
    }
    assert "worker.tasks.sweeper.sweep_stalled_batches" in limits
    too_long = {name: limit for name, limit in limits.items() if limit >= timeout}
    assert not too_long, f"visibility timeout {timeout}s is not above {too_long}"
    assert timeout - max(limits.values()) <= 15 * 60, "only a little above the longest limit"
    if settings.CELERY_BROKER_URL.startswith("redis"):
        assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] == timeout


def test_the_sweep_is_scheduled_and_expires_within_its_interval():
    entry = settings.CELERY_BEAT_SCHEDULE["sweep-stalled-batches"]
    assert entry["task"] in _worker_tasks()
    interval = entry["schedule"]
    interval = interval.total_seconds() if isinstance(interval, dt.timedelta) else interval
    assert interval == settings.REIDSITE_SWEEP_INTERVAL_SECONDS
    assert 0 < entry["options"]["expires"] <= interval
