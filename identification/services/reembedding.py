"""The re-embedding after a project's global model changed: how far it has got, and sending it
again when its message was lost.

`global_models.deploy` queues worker.tasks.training.reembed_project once. A worker killed
mid-slice, or a Redis that lost its data, leaves the gallery with the old model's global
embeddings and the pending sightings ranked by it, with nothing queued to finish. The sweeper
calls `resume_stalled` every minute: a re-embedding with work left whose progress (the model
change, a gallery image re-embedded, a pending sighting ranked again, the last retry) is older
than REIDSITE_SWEEP_STALLED_MINUTES, with no re-embedding message waiting, is sent again; the
task skips what is done. After REIDSITE_SWEEP_MAX_RETRIES retries in a row without progress it
is given up, and the matcher page says so; deploying a model again starts the count anew.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from ..models import Project, Sighting
from . import global_models, retries
from .queueing import send_on_commit, waiting_messages

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Progress:
    gallery: int
    gallery_done: int
    pending: int
    pending_done: int
    # The latest sign of work: the model change, an image re-embedded, a sighting re-ranked.
    last_progress: dt.datetime
    given_up: bool


def progress(project: Project, now: dt.datetime | None = None) -> Progress | None:
    """How far the change of model has reached (None: nothing changed, or all of it is done)."""
    now = now or timezone.now()
    since = project.global_model_since
    if since is None:
        return None
    gallery = global_models.gallery_sightings(project)
    pending = project.sightings.filter(
        status=Sighting.Status.PENDING, matched_at__isnull=False
    ).exclude(pipeline_status=Sighting.PipelineStatus.FAILED)
    counts = {
        "gallery": gallery.count(),
        "gallery_done": gallery.filter(features__created_at__gte=since).count(),
        "pending": pending.count(),
        "pending_done": pending.filter(matched_at__gte=since).count(),
    }
    if counts["gallery_done"] == counts["gallery"] and counts["pending_done"] == counts["pending"]:
        return None
    done = [
        gallery.aggregate(at=Max("features__created_at"))["at"],
        pending.aggregate(at=Max("matched_at"))["at"],
    ]
    last = max([since, *(t for t in done if t is not None and t >= since)])
    retry = retries.due(last, project.reembed_retries, project.reembed_retried_at, now,
                        _stall(), settings.REIDSITE_SWEEP_MAX_RETRIES)  # fmt: skip
    # The last retry had its time and did nothing.
    given_up = retry is not None and retry.give_up
    return Progress(**counts, last_progress=last, given_up=given_up)


def _stall() -> dt.timedelta:
    return dt.timedelta(minutes=settings.REIDSITE_SWEEP_STALLED_MINUTES)


def resume_stalled(now: dt.datetime | None = None) -> list[int]:
    """Send again the re-embeddings that stopped (see the module docstring); returns the ids
    of their projects."""
    now = now or timezone.now()
    stall = _stall()
    changed = Project.objects.filter(global_model_since__lt=now - stall).order_by("pk")
    if not changed.exists() or waiting_messages(global_models.REEMBED_TASK) > 0:
        return []  # nothing changed long ago, or the workers have it queued
    resumed = []
    for project in changed:
        state = progress(project, now)
        if state is None:
            continue
        retry = retries.due(state.last_progress, project.reembed_retries,
                            project.reembed_retried_at, now, stall,
                            settings.REIDSITE_SWEEP_MAX_RETRIES)  # fmt: skip
        if retry is None or retry.give_up:
            continue
        if not retries.claim(project, "reembed_retries", "reembed_retried_at", retry.count, now):
            continue
        log.warning(
            "project %s: re-embedding made no progress since %s; sent again (retry %s of %s)",
            project.pk, state.last_progress.isoformat(), retry.count,
            settings.REIDSITE_SWEEP_MAX_RETRIES,
        )  # fmt: skip
        send_on_commit(global_models.REEMBED_TASK, project.pk)
        resumed.append(project.pk)
    return resumed
