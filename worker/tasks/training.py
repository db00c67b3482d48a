"""Fine-tuning a project's global model and putting a model in use.

`train_global_model` runs on its own `train` queue (a worker process of its own on the GPU
machine: a training takes up to REIDSITE_TRAIN_MINUTES and no gallery update may wait behind
it). `reembed_project` runs on the `gpu` queue in REIDSITE_BATCH_SLICE_SECONDS slices.
"""

from __future__ import annotations

import logging
import time

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from identification.models import Project, Sighting
from identification.services import global_models
from worker.reid import store
from worker.reid.calibration import fit_from_gallery
from worker.reid.matching import match_sightings
from worker.tasks.options import TimeLimits

log = logging.getLogger(__name__)

# Loading crops and laying out the embedding map come on top of the training's own budget.
TRAIN_LIMITS: TimeLimits = {
    "soft_time_limit": int(settings.REIDSITE_TRAIN_MINUTES * 60) + 15 * 60,
    "time_limit": int(settings.REIDSITE_TRAIN_MINUTES * 60) + 20 * 60,
}
LIMITS: TimeLimits = {"soft_time_limit": 20 * 60, "time_limit": 25 * 60}
STEP = 16


@shared_task(**TRAIN_LIMITS)
def train_global_model(version_id: int) -> None:
    """Train a queued version. A second delivery of the message, or one for a version already
    trained, returns at once; one for a training whose worker died takes it up again."""
    from worker.reid.training import train_version

    try:
        train_version(version_id)
    except SoftTimeLimitExceeded:
        global_models.fail(version_id, "Stopped at the task's time limit.")
    except Exception as exc:
        log.exception("training of global model version %s failed", version_id)
        global_models.fail(version_id, f"{type(exc).__name__}: {exc}")


@shared_task(**LIMITS)
def reembed_project(project_id: int) -> None:
    """After the model in use changed: new global embeddings for the gallery, then for the
    pending sightings (keypoints stay); the calibration refitted on images the model did not
    train on; then every pending sighting matched before the change is ranked again.
    Re-queues itself every REIDSITE_BATCH_SLICE_SECONDS; a second run finds nothing to do."""
    project = Project.objects.select_related("global_model").filter(pk=project_id).first()
    if project is None:
        return
    config = store.project_config(project)
    key = config.config_key()
    started = time.monotonic()

    def out_of_time() -> bool:
        if time.monotonic() - started > settings.REIDSITE_BATCH_SLICE_SECONDS:
            reembed_project.delay(project_id)
            return True
        return False

    while waiting := store.gallery_without_features(project, config, STEP):
        store.extract_missing(waiting, config)
        if out_of_time():
            return
    pending = project.sightings.filter(status=Sighting.Status.PENDING).exclude(
        pipeline_status=Sighting.PipelineStatus.FAILED
    )
    while stale := list(
        pending.filter(features__isnull=False)
        .exclude(features__config_key=key)
        .order_by("pk")
        .values_list("pk", flat=True)[:STEP]
    ):
        store.extract_missing(stale, config)
        if out_of_time():
            return
    # Does nothing when the gallery was already fitted with these features.
    fit_from_gallery(project_id)
    project.refresh_from_db()  # the calibration just fitted ranks them
    since = project.global_model_since
    if since is None:
        return
    while todo := list(
        pending.filter(features__config_key=key, matched_at__lt=since)
        .order_by("pk")
        .values_list("pk", flat=True)[:STEP]
    ):
        match_sightings(project, todo, config)
        if out_of_time():
            return
