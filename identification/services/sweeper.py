"""The sweeper: finds batches whose work has stopped, queues it again, and in the end gives up.

A worker killed mid-chunk leaves its task unacknowledged in Redis until the visibility timeout
(2 h 10 min) hands it out again; a Redis that lost its data loses the queued tasks for good.
Either way the batch just waits. `sweep`, sent every minute by celery beat
(worker.tasks.sweeper), finds such batches and sends again the one task that resumes their
stage. Every task skips what is already done (items are processed only while pending, an
image's (project, sha256) is unique, candidates are replaced as a whole), so re-sending work
that is in fact still running or queued costs time, never a duplicate Media or Sighting.

The stages of a batch, each with its progress clock and the task that resumes it:

- ingest (queued, reading the zip, processing): the latest of uploaded, started and an item
  processed; `start_batch` reads the zip if needed and queues every chunk of pending items.
- matching (an upload whose ingest ended, with sightings awaiting review that are neither
  matched nor failed): the latest of ingest ended, a frame detected, features extracted (of
  the batch, or of the project's gallery, which is extracted first), a sighting matched;
  `detect_batch` resumes it.
- gallery (a finished batch whose confirmed sightings have no features, e.g. a catalogue
  import): the latest of ingest ended, a confirmation, features extracted; `update_gallery`
  extracts them and re-scores the pending sightings against them.

A stage is stalled when its clock, and the sweeper's own last retry, are older than
REIDSITE_SWEEP_STALLED_MINUTES and no message waits in the stage's queue: a waiting message
means the workers are behind (or down) and will get to it, and another one would only pile
up. A retry is recorded on the batch (stall_retries, stall_retried_at) by a conditional update
that only one of two concurrent sweeps wins. Progress since the last retry starts the count
again; REIDSITE_SWEEP_MAX_RETRIES retries in a row without progress give the stage up: the
ingest or matching fails the batch, and the gallery stage marks the images it could not
extract, each with a message. The rule is services/retries.py, shared with the re-embedding.

Fine-tunings whose worker died (global_models.resume_stalled) and re-embeddings after a model
change whose message was lost (reembedding.resume_stalled) are sent again the same way.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypedDict

from django.conf import settings
from django.db.models import Exists, Max, OuterRef, QuerySet
from django.utils import timezone

from ..models import Batch, BatchItem, Media, Sighting
from . import batches as batch_service
from . import global_models, reembedding, reid_hooks, retries
from .queueing import waiting_messages

log = logging.getLogger(__name__)


class _LastItem(TypedDict):
    last_item: dt.datetime | None


if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    # A batch in ingest, with the time its latest item was processed (None: none yet).
    IngestingBatch = WithAnnotations[Batch, _LastItem]

INGEST, MATCHING, GALLERY = "ingest", "matching", "gallery"
UPLOADS = (Batch.Kind.FILES, Batch.Kind.ZIP)
ENDED = (Batch.Status.DONE, Batch.Status.FAILED)
UNMATCHED = (Sighting.PipelineStatus.QUEUED, Sighting.PipelineStatus.EXTRACTED)
# The task that resumes each stage; its queue is the one checked for waiting messages.
RESUME_TASK = {
    INGEST: batch_service.START_BATCH_TASK,
    # Matching resumes through detection: frames still waiting for it are detected first,
    # then the batch's sightings are matched (worker.tasks.detection).
    MATCHING: reid_hooks.DETECT_BATCH_TASK,
    GALLERY: reid_hooks.UPDATE_GALLERY_TASK,
}


@dataclass
class SweepResult:
    """(batch id, stage) of every batch re-queued and given up by one sweep."""

    retried: list[tuple[int, str]] = field(default_factory=list)
    given_up: list[tuple[int, str]] = field(default_factory=list)
    # Fine-tunings of a global model queued again (global_models.resume_stalled).
    trainings: list[int] = field(default_factory=list)
    # Projects whose re-embedding after a model change was sent again (reembedding.py).
    reembeddings: list[int] = field(default_factory=list)


def sweep(now: dt.datetime | None = None) -> SweepResult:
    """Re-queue (or give up) every batch stage that has stalled; see the module docstring."""
    now = now or timezone.now()
    stall = dt.timedelta(minutes=settings.REIDSITE_SWEEP_STALLED_MINUTES)
    sweeper = _Sweeper(now, stall, settings.REIDSITE_SWEEP_MAX_RETRIES)
    for ingesting in _ingesting():
        clocks = (ingesting.created_at, ingesting.started_at, ingesting.last_item)
        sweeper.consider(ingesting, INGEST, max(t for t in clocks if t))
    if settings.REIDSITE_ENABLE_REID:
        matching: set[int] = set()
        for batch in _matching():
            matching.add(batch.pk)
            times = Sighting.objects.filter(media__batch=batch).aggregate(
                matched=Max("matched_at"), extracted=Max("features__created_at")
            )
            # Detection is this stage's first step (MegaDetector on a CPU: seconds a frame).
            detected = Media.objects.filter(batch=batch).aggregate(at=Max("detected_at"))["at"]
            # The project's gallery images are extracted before the batch is matched.
            gallery = Sighting.objects.filter(
                project_id=batch.project_id, status=Sighting.Status.CONFIRMED
            ).aggregate(at=Max("features__created_at"))["at"]
            progress = _latest(batch.finished_at, detected, gallery, *times.values())
            sweeper.consider(batch, MATCHING, progress)
        for batch in _featureless():
            if batch.pk in matching:  # one stage at a time; matching extracts them too
                continue
            times = _gallery_todo(batch).aggregate(decided=Max("decided_at"))
            extracted = Sighting.objects.filter(media__batch=batch).aggregate(
                extracted=Max("features__created_at")
            )
            progress = _latest(batch.finished_at, times["decided"], extracted["extracted"])
            sweeper.consider(batch, GALLERY, progress)
        sweeper.result.trainings = global_models.resume_stalled(now)
        sweeper.result.reembeddings = reembedding.resume_stalled(now)
    return sweeper.result


def _latest(*times: dt.datetime | None) -> dt.datetime:
    return max(t for t in times if t is not None)


def _ingesting() -> QuerySet[IngestingBatch]:
    return (
        Batch.objects.filter(kind__in=UPLOADS, status__in=batch_service.ACTIVE_STATUSES)
        .annotate(last_item=Max("items__processed_at"))
        .order_by("pk")
    )


def _matching_todo(batch_ref: Batch | OuterRef) -> QuerySet[Sighting]:
    """Sightings process_batch still has to match: awaiting review, neither matched nor failed.
    (A decided sighting is never matched, so it is not waited for.)"""
    return Sighting.objects.filter(
        media__batch=batch_ref, status=Sighting.Status.PENDING, pipeline_status__in=UNMATCHED
    ).exclude(
        # Frames of an "import" project wait for a detection file: not stalled, waiting.
        media__detection_status=Media.Detection.PENDING,
        project__detector="import",
    )


def _matching() -> QuerySet[Batch]:
    todo = _matching_todo(OuterRef("pk"))
    return (
        Batch.objects.filter(kind__in=UPLOADS, status__in=ENDED, finished_at__isnull=False)
        .filter(Exists(todo))
        .order_by("pk")
    )


def _gallery_todo(batch_ref: Batch | OuterRef) -> QuerySet[Sighting]:
    """Confirmed sightings without features: update_gallery has not (yet) extracted them."""
    return Sighting.objects.filter(
        media__batch=batch_ref,
        status=Sighting.Status.CONFIRMED,
        individual__isnull=False,
        features__isnull=True,
    ).exclude(pipeline_status=Sighting.PipelineStatus.FAILED)


def _featureless() -> QuerySet[Batch]:
    todo = _gallery_todo(OuterRef("pk"))
    return (
        Batch.objects.filter(status__in=ENDED, finished_at__isnull=False)
        .filter(Exists(todo))
        .order_by("pk")
    )


class _Sweeper:
    def __init__(self, now: dt.datetime, stall: dt.timedelta, max_retries: int) -> None:
        self.now, self.stall, self.max_retries = now, stall, max_retries
        self.result = SweepResult()
        self._waiting: dict[str, int] = {}

    def consider(self, batch: Batch, stage: str, progress: dt.datetime) -> None:
        retry = retries.due(progress, batch.stall_retries, batch.stall_retried_at, self.now,
                            self.stall, self.max_retries)  # fmt: skip
        if retry is None or self._queue_busy(stage):
            return
        if not retries.claim(batch, "stall_retries", "stall_retried_at", retry.count, self.now):
            return
        if retry.give_up:
            log.warning("batch %s: %s stalled after %s retries; giving up", batch.pk, stage,
                        batch.stall_retries)  # fmt: skip
            GIVE_UP[stage](batch, self._give_up_message(batch, stage))
            self.result.given_up.append((batch.pk, stage))
        else:
            log.warning("batch %s: %s made no progress since %s; re-queued (retry %s of %s)",
                        batch.pk, stage, progress.isoformat(), retry.count,
                        self.max_retries)  # fmt: skip
            RESUME[stage](batch)
            self.result.retried.append((batch.pk, stage))

    def _queue_busy(self, stage: str) -> bool:
        task = RESUME_TASK[stage]
        if task not in self._waiting:
            self._waiting[task] = waiting_messages(task)
        return self._waiting[task] > 0

    def _give_up_message(self, batch: Batch, stage: str) -> str:
        minutes = self.stall.total_seconds() / 60
        at = timezone.localtime(self.now).strftime("%H:%M")
        what = {INGEST: "Storing the images", MATCHING: "Matching",
                GALLERY: "Extracting the gallery features"}[stage]  # fmt: skip
        return (
            f"{what} stalled: no progress for {minutes:g} min after {batch.stall_retries} "
            f"retries, given up at {at}."
        )


def _resume_ingest(batch: Batch) -> None:
    batch_service.queue_start(batch.pk)


def _resume_matching(batch: Batch) -> None:
    reid_hooks.batch_ingested(batch.pk)


def _resume_gallery(batch: Batch) -> None:
    ids = list(_gallery_todo(batch).order_by("pk").values_list("pk", flat=True))
    reid_hooks.identities_changed(batch.project_id, ids)


def _give_up_ingest(batch: Batch, message: str) -> None:
    pending = batch.items.filter(status=BatchItem.Status.PENDING).count()
    if pending:
        message += f" {_count(pending, 'file was', 'files were')} not processed: upload again."
    batch_service.give_up(batch.pk, message)


def _give_up_matching(batch: Batch, message: str) -> None:
    error = "Matching stalled and was given up; decide without candidates."
    failed = _fail(_matching_todo(batch), error)
    message += f" {_count(failed, 'sighting has', 'sightings have')} no candidates."
    Batch.objects.filter(pk=batch.pk).update(
        status=Batch.Status.FAILED, message=_append(batch.message, message)
    )


def _give_up_gallery(batch: Batch, message: str) -> None:
    # The images are stored and confirmed: the batch keeps its status (an import's page would
    # otherwise say nothing was imported); those images just never join the gallery.
    failed = _fail(_gallery_todo(batch), "Feature extraction stalled and was given up.")
    images = _count(failed, "confirmed image is", "confirmed images are")
    message += f" {images} not in the gallery."
    Batch.objects.filter(pk=batch.pk).update(message=_append(batch.message, message))


def _fail(todo: QuerySet[Sighting], error: str) -> int:
    """Mark these sightings' pipeline failed (the queued tasks then skip them)."""
    return Sighting.objects.filter(pk__in=todo.values("pk")).update(
        pipeline_status=Sighting.PipelineStatus.FAILED, pipeline_error=error
    )


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _append(existing: str, message: str) -> str:
    return f"{existing}\n{message}" if existing else message


RESUME = {INGEST: _resume_ingest, MATCHING: _resume_matching, GALLERY: _resume_gallery}
GIVE_UP = {INGEST: _give_up_ingest, MATCHING: _give_up_matching, GALLERY: _give_up_gallery}
