"""Fine-tuned global models: when a project trains one, what training found, which is in use.

The training itself runs on the `gpu` queue (worker.tasks.training); this module holds the
rules, the same for the matcher page, the admin, commands and the workers:

- A project trains when REIDSITE_TRAINING is on and it has REIDSITE_TRAIN_MIN_INDIVIDUALS
  individuals with two or more confirmed images; then again after every
  REIDSITE_TRAIN_AFTER_CONFIRMATIONS new gallery images. One training at a time.
- A trained model is deployed only when it beat the model in use on the same held-out
  confirmed images (top-1 of each individual's latest images among the rest); the comparison
  is kept either way.
- Deploying (or rolling back to an earlier version, or to the site's untouched model)
  re-embeds the project's global descriptors in the background (keypoints stay), refits the
  calibration on images the model did not train on and re-ranks the pending sightings
  (worker.tasks.training.reembed_project).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from worker.pipeline.model_choice import is_better

from ..models import GlobalModelVersion, Project, Sighting
from .queueing import send_on_commit, waiting_messages

if TYPE_CHECKING:
    from django.contrib.auth.models import User

log = logging.getLogger(__name__)

TRAIN_TASK = "worker.tasks.training.train_global_model"
REEMBED_TASK = "worker.tasks.training.reembed_project"
S = GlobalModelVersion.Status
IN_FLIGHT = (S.QUEUED, S.TRAINING)


@dataclass(frozen=True)
class Readiness:
    """How far a project is from its (next) training."""

    individuals: int  # with two or more confirmed images
    gallery_images: int
    needed_individuals: int
    # Gallery images still to confirm before the next training (0: due now).
    images_to_next: int
    in_flight: GlobalModelVersion | None

    @property
    def enough(self) -> bool:
        return self.individuals >= self.needed_individuals


def gallery_sightings(project: Project) -> QuerySet[Sighting]:
    """The project's gallery: confirmed sightings with an individual and a readable image
    (what training learns from, and what a change of model re-embeds)."""
    return project.sightings.filter(
        status=Sighting.Status.CONFIRMED, individual__isnull=False
    ).exclude(pipeline_status=Sighting.PipelineStatus.FAILED)


def readiness(project: Project) -> Readiness:
    gallery = gallery_sightings(project)
    per_individual = gallery.values("individual").annotate(n=Count("pk"))
    individuals = sum(1 for row in per_individual if row["n"] >= 2)
    images = gallery.count()
    last = project.global_model_versions.exclude(status__in=IN_FLIGHT).first()
    to_next = 0
    if last is not None:
        to_next = max(0, last.gallery_images + settings.REIDSITE_TRAIN_AFTER_CONFIRMATIONS - images)
    return Readiness(
        individuals=individuals,
        gallery_images=images,
        needed_individuals=settings.REIDSITE_TRAIN_MIN_INDIVIDUALS,
        images_to_next=to_next,
        in_flight=project.global_model_versions.filter(status__in=IN_FLIGHT).first(),
    )


def training_due(project: Project) -> bool:
    ready = readiness(project)
    return (
        settings.REIDSITE_TRAINING
        and ready.in_flight is None
        and ready.enough
        and ready.images_to_next == 0
    )


@transaction.atomic
def request_training(
    project: Project, by: User | None = None, *, now: bool = False
) -> GlobalModelVersion | None:
    """Queue a training if one is due (`now`: an admin's request, due as soon as the project
    has enough individuals); None when none was queued. Concurrent requests queue one."""
    if not now and not settings.REIDSITE_TRAINING:
        return None  # asked after every confirmation: no lock, no counting
    Project.objects.select_for_update().filter(pk=project.pk).first()
    ready = readiness(project)
    if ready.in_flight is not None or not ready.enough:
        return None
    if not now and ready.images_to_next > 0:
        return None
    number = (project.global_model_versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = GlobalModelVersion.objects.create(
        project=project,
        number=number,
        requested_by=by,
        base=project.global_model,
        gallery_images=ready.gallery_images,
        individuals=ready.individuals,
    )
    send_on_commit(TRAIN_TASK, version.pk)
    return version


def claim(version_id: int, now: dt.datetime | None = None) -> bool:
    """Take a queued training, or one whose worker stopped beating for
    REIDSITE_TRAIN_STALLED_MINUTES (killed, or lost with a restart). One of two deliveries
    of the same task wins; the other returns at once."""
    now = now or timezone.now()
    stale = now - dt.timedelta(minutes=settings.REIDSITE_TRAIN_STALLED_MINUTES)
    taken = GlobalModelVersion.objects.filter(pk=version_id).filter(
        Q(status=S.QUEUED) | Q(status=S.TRAINING, heartbeat_at__lt=stale)
    )
    return bool(taken.update(status=S.TRAINING, started_at=now, heartbeat_at=now, history=[]))


def started(version_id: int, model_name: str, device: str) -> None:
    GlobalModelVersion.objects.filter(pk=version_id).update(
        model_name=model_name, device=device, heartbeat_at=timezone.now()
    )


def record_epoch(version_id: int, row: dict[str, float]) -> None:
    """One epoch done: its loss and validation top-1 join the history; the heartbeat."""
    version = GlobalModelVersion.objects.filter(pk=version_id).first()
    if version is None:
        return
    version.history = [*version.history, {k: round(float(v), 4) for k, v in row.items()}]
    version.heartbeat_at = timezone.now()
    version.save(update_fields=["history", "heartbeat_at"])


def resume_stalled(now: dt.datetime | None = None) -> list[int]:
    """Queue again the trainings whose worker stopped beating (killed, or lost in a restart)
    and those queued long ago whose message is gone (a Redis that lost its data); returns
    their ids. Called by the sweeper; a training still running is never taken twice (claim)."""
    now = now or timezone.now()
    stale = now - dt.timedelta(minutes=settings.REIDSITE_TRAIN_STALLED_MINUTES)
    ids = list(
        GlobalModelVersion.objects.filter(
            Q(status=S.TRAINING, heartbeat_at__lt=stale) | Q(status=S.QUEUED, created_at__lt=stale)
        ).values_list("pk", "status")
    )
    lost_queued = waiting_messages(TRAIN_TASK) == 0
    resumed = [pk for pk, status in ids if status == S.TRAINING or lost_queued]
    for pk in resumed:
        log.warning("global model version %s stalled: queued again", pk)
        send_on_commit(TRAIN_TASK, pk)
    return resumed


@dataclass(frozen=True)
class Outcome:
    top1_current: float | None
    top1_trained: float | None
    image_size: int
    loss: str
    train_images: int
    val_images: int
    individuals: int
    epochs: int
    best_epoch: int
    seconds: float
    trained_on: list[int]
    embedding_map: dict[str, Any]


@transaction.atomic
def record_result(version_id: int, outcome: Outcome, weights: bytes | None) -> GlobalModelVersion:
    """Keep what training measured; store the weights and deploy them only when better."""
    version = GlobalModelVersion.objects.select_for_update().get(pk=version_id)
    for name in (
        "top1_current", "top1_trained", "image_size", "loss", "train_images", "val_images",
        "individuals", "epochs", "best_epoch", "seconds", "trained_on", "embedding_map",
    ):  # fmt: skip
        setattr(version, name, getattr(outcome, name))
    version.finished_at = timezone.now()
    better = weights is not None and is_better(outcome.top1_current, outcome.top1_trained)
    version.status = S.BETTER if better else S.NOT_BETTER
    if better and weights is not None:
        name = f"project-{version.project_id}-v{version.number}.pth"
        version.file.save(name, ContentFile(weights), save=False)
    version.save()
    if better:
        deploy(version.project, version)
    return version


def fail(version_id: int, error: str) -> None:
    GlobalModelVersion.objects.filter(pk=version_id, status__in=IN_FLIGHT).update(
        status=S.FAILED, error=error[:500], finished_at=timezone.now()
    )


def deployable(project: Project) -> list[GlobalModelVersion]:
    """The versions that may be put in use: every one that was better when trained."""
    return list(project.global_model_versions.filter(status=S.BETTER).exclude(file=""))


@transaction.atomic
def deploy(project: Project, version: GlobalModelVersion | None) -> None:
    """Put `version` (None: the site's untouched model) in use and queue the re-embedding
    of the project's global descriptors and the re-ranking of its pending sightings."""
    if version is not None and (version.project_id != project.pk or version.status != S.BETTER):
        raise ValueError(f"{version} cannot be deployed in {project}")
    now = timezone.now()
    # The model already in use, asked again (a switch the sweeper gave up): the switch goes on
    # from where it stopped, with the sweeper's count of retries started anew.
    in_use = project.global_model_id == (version.pk if version else None)
    since = project.global_model_since if in_use else now
    Project.objects.filter(pk=project.pk).update(
        global_model=version, global_model_since=since, reembed_retries=0, reembed_retried_at=None
    )
    project.reembed_retries, project.reembed_retried_at = 0, None
    project.global_model, project.global_model_since = version, since
    if version is not None:
        GlobalModelVersion.objects.filter(pk=version.pk).update(deployed_at=now)
    log.info("project %s: global model %s deployed", project.pk, version or "of the site")
    if settings.REIDSITE_ENABLE_REID:
        send_on_commit(REEMBED_TASK, project.pk)


def untrained_gallery(project: Project, gallery_ids: list[int]) -> list[int] | None:
    """The gallery images the model in use never trained on (what calibration may be fitted
    on); None when the model in use was trained on none of them (the site's model)."""
    version = project.global_model
    if version is None or not version.trained_on:
        return None
    trained = set(version.trained_on)
    return [i for i in gallery_ids if i not in trained]
