"""Re-identification tasks, on the `gpu` queue (CUDA when present, CPU otherwise).

Every task takes ids, can run twice without harm (features are keyed by the extraction
settings, candidates are replaced as a whole) and re-queues itself for the next chunk rather
than running past its time limit.
"""

from __future__ import annotations

import logging
import time

from celery import shared_task
from django.conf import settings

from identification.models import Batch, Project, Sighting
from identification.services import global_models
from worker.reid import store
from worker.reid.calibration import fit_from_gallery, gallery_fit_due
from worker.reid.matching import match_sightings, rescore_pending
from worker.tasks.options import TimeLimits

log = logging.getLogger(__name__)

CHUNK = 32
# Sightings extracted and matched together within a task run (a batched forward pass), between
# which the run checks its time slice.
STEP = 8
TIME_LIMITS: TimeLimits = {"soft_time_limit": 20 * 60, "time_limit": 25 * 60}


@shared_task(**TIME_LIMITS)
def process_batch(batch_id: int) -> None:
    """Extract features of a batch's sightings and match them, for about
    REIDSITE_BATCH_SLICE_SECONDS per task run, re-queueing itself for the rest.

    The project's gallery comes first: confirmed images still without features (a catalogue
    import or confirmations whose gallery update waits in the queue) are extracted before any
    sighting of the batch is matched, so a batch is never matched against part of a gallery.
    Redis serves those updates first anyway (task priorities, settings.CELERY_TASK_ROUTES);
    the demo's filesystem broker serves in order, so the batch checks itself.
    """
    batch = Batch.objects.select_related("project").filter(pk=batch_id).first()
    if batch is None:
        return
    project = batch.project
    config = store.project_config(project)
    started = time.monotonic()
    while waiting := store.gallery_without_features(project, config, STEP):
        store.extract_missing(waiting, config)
        if time.monotonic() - started > settings.REIDSITE_BATCH_SLICE_SECONDS:
            process_batch.delay(batch_id)
            return
    # Pending ones only: the matcher never matches a decided sighting, so one decided before
    # it was matched would stay in this list and the task would re-queue itself for ever
    # (a decided sighting that joins the gallery gets its features from update_gallery).
    todo = list(
        Sighting.objects.filter(media__batch=batch, status=Sighting.Status.PENDING)
        .exclude(
            pipeline_status__in=[Sighting.PipelineStatus.MATCHED, Sighting.PipelineStatus.FAILED]
        )
        .order_by("pk")
        .values_list("pk", flat=True)[: CHUNK + 1]
    )
    done = 0
    for start in range(0, min(len(todo), CHUNK), STEP):
        part = todo[start : start + STEP]
        store.extract_missing(part, config)
        match_sightings(project, part, config)
        done += len(part)
        if time.monotonic() - started > settings.REIDSITE_BATCH_SLICE_SECONDS:
            break
    if len(todo) > done:
        process_batch.delay(batch_id)


@shared_task(**TIME_LIMITS)
def match(sighting_ids: list[int]) -> None:
    """(Re-)match the given sightings against their project's whole gallery."""
    for project in Project.objects.filter(sightings__pk__in=sighting_ids).distinct():
        config = store.project_config(project)
        ids = list(project.sightings.filter(pk__in=sighting_ids).values_list("pk", flat=True))
        store.extract_missing(ids, config)
        match_sightings(project, ids, config)


@shared_task(**TIME_LIMITS)
def update_gallery(project_id: int, sighting_ids: list[int]) -> None:
    """Identities of these sightings changed: bring the gallery and pending rankings up to date.

    Newly confirmed sightings get features (a chunk per task run; the task re-queues itself
    until all have them), then pending sightings are re-scored against those gallery images
    only. Sightings that left the gallery or changed individual make the pending sightings
    that pointed at them re-match in full.
    """
    project = Project.objects.filter(pk=project_id).first()
    if project is None:
        return
    config = store.project_config(project)
    key = config.config_key()
    confirmed = list(
        project.sightings.filter(
            pk__in=sighting_ids,
            status=Sighting.Status.CONFIRMED,
            individual__isnull=False,
        )
        .exclude(pipeline_status=Sighting.PipelineStatus.FAILED)
        .values_list("pk", flat=True)
    )
    missing = list(
        project.sightings.filter(pk__in=confirmed)
        .exclude(features__config_key=key)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if missing:
        store.extract_missing(missing[:CHUNK], config)
        if len(missing) > CHUNK:
            update_gallery.delay(project_id, sighting_ids)
            return
    rescore_pending(project, set(sighting_ids), config)
    if gallery_fit_due(project, len(store.gallery_for(project, config).gallery)):
        calibrate_from_gallery.delay(project_id)
    # Enough new confirmed individuals or images: fine-tune the global model on them.
    global_models.request_training(project)


@shared_task(**TIME_LIMITS)
def calibrate_from_gallery(project_id: int) -> None:
    """Fit the project's calibration and threshold on its gallery (pseudo-queries with their
    event left out) and its decisions. Does nothing when the gallery has not grown enough
    since its last fit, so a task delivered twice fits once."""
    fit_from_gallery(project_id)
