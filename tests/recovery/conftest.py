"""Fixtures of the sweeper tests: staged batches, a clock to sweep at, the real broker's queues.

Unmarked tests run the re-queued tasks eagerly (tests/conftest.py). Tests marked `services`
send them to the real Redis with no worker listening, and read what was queued.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, cast

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from identification.models import Batch
from identification.services import batches as batch_service
from identification.services import sweeper
from reidsite.celery import app as celery_app
from tests.images import jpeg_bytes

if TYPE_CHECKING:
    from kombu.transport.redis import Channel as RedisChannel


def stage(project, user, n: int, deployment=None) -> Batch:
    """A files batch of `n` distinct small JPEGs, staged as the upload view does."""
    files = [SimpleUploadedFile(f"IMG_{i:04d}.JPG", jpeg_bytes(seed=i)) for i in range(n)]
    return batch_service.create_batches(project, deployment, user, files)[0]


def later(minutes: float) -> dt.datetime:
    return timezone.now() + dt.timedelta(minutes=minutes)


@pytest.fixture
def sweep_at(django_capture_on_commit_callbacks) -> Callable[..., sweeper.SweepResult]:
    """sweep_at(minutes from now) -> the SweepResult; what it queued is sent (or run) at once."""

    def run(minutes: float) -> sweeper.SweepResult:
        with django_capture_on_commit_callbacks(execute=True):
            return sweeper.sweep(now=later(minutes))

    return run


@pytest.fixture
def stall_minutes() -> float:
    return settings.REIDSITE_SWEEP_STALLED_MINUTES


@pytest.fixture
def broker() -> Iterator[Callable[[str], list[tuple[str, list]]]]:
    """broker(queue) -> [(task name, args)] waiting in that Redis queue, in the order a worker
    takes them; purged around the test."""
    if not settings.CELERY_BROKER_URL.startswith("redis"):
        pytest.skip("needs the real Redis broker: run through `make test` (scripts/test.sh)")
    celery_app.control.purge()

    def queued(queue: str) -> list[tuple[str, list]]:
        with celery_app.connection_for_read() as connection:
            channel = cast("RedisChannel", connection.default_channel)
            raw = []
            # One Redis list per priority step, served in that order (settings.CELERY_TASK_ROUTES).
            for priority in channel.priority_steps:
                key = channel._q_for_pri(queue, priority)  # type: ignore[attr-defined]
                raw.extend(reversed(channel.client.lrange(key, 0, -1)))
        messages = []
        for payload in raw:  # kombu pushes on the left and pops on the right
            message = json.loads(payload)
            args = json.loads(base64.b64decode(message["body"]))[0]  # [args, kwargs, embed]
            messages.append((message["headers"]["task"], args))
        return messages

    yield queued
    celery_app.control.purge()
