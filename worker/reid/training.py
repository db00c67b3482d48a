"""The Django side of fine-tuning: a project's confirmed crops in, a GlobalModelVersion's
outcome out (identification.services.global_models keeps the rules)."""

from __future__ import annotations

import dataclasses
import io
import logging
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import torch
from django.conf import settings
from PIL import Image

from identification.models import GlobalModelVersion, Project, Sighting, SightingFeatures
from identification.services import global_models
from worker.pipeline import embedding_map, finetune, networks
from worker.pipeline.config import GlobalModelConfig, PipelineConfig
from worker.pipeline.features import Features, GlobalEmbedder
from worker.reid import store

log = logging.getLogger(__name__)


def _order(sighting: Sighting) -> str:
    """Time order of an individual's images (the latest are held out): capture time, then id."""
    taken = sighting.media.taken_at
    return f"{taken.isoformat() if taken else '9999'}|{sighting.pk:012d}"


def _crops(sightings: list[Sighting]) -> list[tuple[Sighting, Image.Image]]:
    """What the global descriptor sees of each sighting (store.global_view), shrunk to twice
    the training size on its short side: a whole gallery of full-resolution crops would not
    fit in a worker's memory, and both training and the global models' own transforms scale
    them below that anyway."""
    limit = 2 * max(settings.REIDSITE_TRAIN_IMAGE_SIZE, 224)
    out = []
    for sighting in sightings:
        try:
            image = store.global_view(sighting, *store.load_crop(sighting))
        except Exception as exc:  # noqa: BLE001 - one unreadable image is left out
            log.warning("sighting %s left out of training: %s", sighting.pk, exc)
            continue
        scale = limit / min(image.size)
        if scale < 1:
            size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
            image = image.resize(size, Image.Resampling.BILINEAR)
        out.append((sighting, image))
    return out


def train_version(version_id: int) -> GlobalModelVersion | None:
    """Train the version if this delivery claims it (see global_models.claim), store what it
    measured and deploy it when better. None: another delivery has it, or it is done."""
    if not global_models.claim(version_id):
        return None
    version = GlobalModelVersion.objects.select_related("project").get(pk=version_id)
    project = version.project
    config = store.project_config(project)
    base = config.global_models[0]
    device = networks.pick_device(None)
    global_models.started(version_id, base.model_name, device.type)
    gallery = list(
        global_models.gallery_sightings(project).select_related("media__deployment").order_by("pk")
    )
    crops = _crops(gallery)
    examples = [finetune.Example(image, str(s.individual_id), _order(s)) for s, image in crops]
    cfg = finetune.TrainConfig(
        image_size=settings.REIDSITE_TRAIN_IMAGE_SIZE,
        frozen_fraction=settings.REIDSITE_TRAIN_FROZEN_FRACTION,
        max_epochs=settings.REIDSITE_TRAIN_MAX_EPOCHS,
        max_seconds=settings.REIDSITE_TRAIN_MINUTES * 60,
        symmetric=project.sides_symmetric,
    )
    result = finetune.train(
        base, examples, cfg, device, lambda row: global_models.record_epoch(version_id, row)
    )
    buffer = io.BytesIO()
    torch.save(result.state_dict, buffer)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "tuned.pth"
        path.write_bytes(buffer.getvalue())
        tuned = dataclasses.replace(base, checkpoint=str(path), image_size=result.image_size)
        points = _embedding_map(project, config, tuned, crops)
    outcome = global_models.Outcome(
        top1_current=_rounded(result.val_top1_before),
        top1_trained=_rounded(result.val_top1_after),
        image_size=result.image_size,
        loss=result.loss,
        train_images=result.train_images,
        val_images=result.val_images,
        individuals=result.individuals,
        epochs=result.epochs,
        best_epoch=result.best_epoch,
        seconds=round(result.seconds, 1),
        trained_on=[crops[i][0].pk for i in result.trained_on],
        embedding_map=points,
    )
    # Unchanged weights (no epoch beat the model in use) are not worth a file.
    weights = buffer.getvalue() if result.best_epoch > 0 else None
    return global_models.record_result(version_id, outcome, weights)


def _rounded(value: float) -> float | None:
    """For JSON and the page: NaN (nothing held out, no pair) is None."""
    return None if np.isnan(value) else round(float(value), 4)


def _stored_globals(ids: list[int], config: PipelineConfig) -> dict[int, np.ndarray]:
    name = config.global_models[0].name
    rows = SightingFeatures.objects.filter(sighting_id__in=ids, config_key=config.config_key())
    out = {}
    for sighting_id, data in rows.values_list("sighting_id", "data").iterator(500):
        vector = Features.from_bytes(bytes(data)).globals.get(name)
        if vector is not None:
            out[sighting_id] = vector
    return out


def _embedding_map(
    project: Project,
    config: PipelineConfig,
    tuned: GlobalModelConfig,
    gallery: list[tuple[Sighting, Image.Image]],
) -> dict[str, Any]:
    """The gallery (the latest images when it is large) and some pending sightings, laid out
    with the model in use and with the trained one."""
    limit = settings.REIDSITE_EMBEDDING_MAP_POINTS
    shown = gallery[-limit:]
    room = limit - len(shown)
    pending = list(
        project.sightings.filter(status=Sighting.Status.PENDING)
        .exclude(pipeline_status=Sighting.PipelineStatus.FAILED)
        .select_related("media__deployment")
        .order_by("-pk")[: min(room, limit // 5)]
    )
    shown += _crops(pending)
    if not shown:
        return {}
    ids = [s.pk for s, _ in shown]
    before = _stored_globals(ids, config)
    missing = [i for i, (s, _) in enumerate(shown) if s.pk not in before]
    if missing:
        current = GlobalEmbedder(config.global_models[:1]).embed([shown[i][1] for i in missing])
        name = config.global_models[0].name
        before.update({shown[i][0].pk: current[name][k] for k, i in enumerate(missing)})
    after = GlobalEmbedder([tuned]).embed([image for _, image in shown])[tuned.name]
    before_matrix = np.stack([before[i] for i in ids])
    individuals = [s.individual_id if s.status == Sighting.Status.CONFIRMED else None
                   for s, _ in shown]  # fmt: skip
    labels = [str(i) for i in individuals if i is not None]
    known = [k for k, i in enumerate(individuals) if i is not None]

    def rounded(points: np.ndarray) -> list[list[float]]:
        return [[round(float(x), 4), round(float(y), 4)] for x, y in points]

    return {
        "sightings": ids,
        "individuals": individuals,
        "before": rounded(embedding_map.layout(before_matrix, seed=project.pk)),
        "after": rounded(embedding_map.layout(after, seed=project.pk)),
        "separation_before": _rounded(embedding_map.separation(before_matrix[known], labels)),
        "separation_after": _rounded(embedding_map.separation(after[known], labels)),
    }
