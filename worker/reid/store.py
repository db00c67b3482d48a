"""The Django side of re-identification: loading sightings' images and features from the
database, keeping each project's gallery in memory per worker process, and storing candidates.

Celery tasks (worker/tasks/reid.py) call this; it calls worker.pipeline, which knows nothing
of Django.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db.models import QuerySet
from PIL import Image, ImageOps

from identification.models import GlobalModelVersion, Project, Sighting, SightingFeatures
from identification.services import global_models, pipeline_results
from identification.services.detections import strips_of
from identification.services.pipeline_results import RankedCandidate
from worker.pipeline.config import PipelineConfig
from worker.pipeline.detection.scene import focus_in, is_whole_frame, off_scene
from worker.pipeline.features import Features, get_extractor
from worker.pipeline.fusion import IndividualScore
from worker.pipeline.gallery import Gallery
from worker.reid.detection import scene_of

log = logging.getLogger(__name__)


def project_config(project: Project) -> PipelineConfig:
    """Defaults, then the site-wide model setting, then the project's own overrides."""
    overrides: dict = {}
    if settings.REIDSITE_GLOBAL_MODEL:
        overrides["global_models"] = [
            {
                "name": "global",
                "model_name": settings.REIDSITE_GLOBAL_MODEL,
                "checkpoint": settings.REIDSITE_GLOBAL_CHECKPOINT,
            }
        ]
    overrides.update(project.reid_config or {})
    config = PipelineConfig.from_dict(overrides)
    version = project.global_model
    if version is None or not version.file or not config.global_models:
        return config
    tuned = dataclasses.replace(
        config.global_models[0],
        model_name=version.model_name or config.global_models[0].model_name,
        checkpoint=checkpoint_path(version),
        image_size=version.image_size,
    )
    return dataclasses.replace(config, global_models=(tuned, *config.global_models[1:]))


def checkpoint_path(version: GlobalModelVersion) -> str:
    """A local file of the version's weights: the stored file itself on local storage, a
    copy kept under REIDSITE_VAR_DIR for a remote one (timm loads from a path)."""
    try:
        return version.file.path
    except NotImplementedError:  # remote storage: no path
        local = Path(settings.VAR_DIR) / "global-models" / Path(str(version.file.name)).name
        if not local.is_file():
            local.parent.mkdir(parents=True, exist_ok=True)
            with version.file.open("rb") as src:
                part = local.with_suffix(".part")
                part.write_bytes(src.read())
                part.replace(local)
        return str(local)


def load_crop(sighting: Sighting) -> tuple[Image.Image, tuple[int, int], np.ndarray | None]:
    """The sighting's image cropped to its box, the crop's offset in the full image, and for
    a whole-frame sighting where its frame differs from the camera's static scene (None: no
    scene known, or it does not explain this frame).

    EXIF orientation is applied first, as browsers do, so keypoints drawn over the displayed
    image land where they were found.
    """
    with sighting.media.file.open("rb") as handle:
        opened = Image.open(handle)
        image = ImageOps.exif_transpose(opened).convert("RGB")
    changed = None
    whole = is_whole_frame(sighting.bbox, strips_of(sighting.media).content_box()[3])
    if whole and (scene := scene_of(sighting.media)) is not None:
        changed = scene.changed(image)
    box = sighting.crop_box(image.width, image.height) or (0, 0, image.width, image.height)
    # Crops stop at the camera's data strips: no keypoint on its clock or logo.
    first, last = strips_of(sighting.media).pixel_rows(image.height)
    left, top, right, bottom = box[0], max(box[1], first), box[2], min(box[3], last)
    if bottom <= top:
        left, top, right, bottom = box
    if (left, top, right, bottom) == (0, 0, image.width, image.height):
        return image, (0, 0), changed
    return image.crop((left, top, right, bottom)), (left, top), changed


def focus_of(
    sighting: Sighting, image: Image.Image, offset: tuple[int, int], changed: np.ndarray | None
) -> tuple[int, int, int, int] | None:
    """What the matcher sees of load_crop's image (a box in it; None: all of it): for a whole
    frame whose camera's scene explains it, the frame's focus (detection/scene.py)."""
    return focus_in(image.size, offset, changed, (sighting.media.width, sighting.media.height))


def global_view(
    sighting: Sighting, image: Image.Image, offset: tuple[int, int], changed: np.ndarray | None
) -> Image.Image:
    """What the global descriptor sees of load_crop's image: the part focus_of names."""
    box = focus_of(sighting, image, offset, changed)
    return image if box is None else image.crop(box)


def extract_missing(sighting_ids: list[int], config: PipelineConfig) -> list[int]:
    """Extract and store features of those sightings that lack current ones; returns the ids
    that failed (their image could not be read), marking them so they are not retried.

    A sighting whose stored keypoints are still current (same `local_key`: only the global
    model changed, e.g. a fine-tuned one was deployed) gets new global embeddings only.
    """
    key, local = config.config_key(), config.local_key()
    todo = list(
        Sighting.objects.filter(pk__in=sighting_ids)
        .exclude(features__config_key=key)
        .select_related("media__deployment", "features")
        .order_by("pk")
    )
    if not todo:
        return []
    extractor = get_extractor(config)
    failed: list[int] = []
    full: list[tuple[Sighting, Image.Image, tuple[int, int], np.ndarray | None]] = []
    globals_only: list[tuple[Sighting, Image.Image, Features]] = []
    for sighting in todo:
        try:
            image, offset, changed = load_crop(sighting)
        except Exception as exc:  # noqa: BLE001 - one unreadable image must not stop the rest
            log.warning("sighting %s: cannot read image: %s", sighting.pk, exc)
            pipeline_results.mark_unreadable(sighting.pk, str(exc))
            failed.append(sighting.pk)
            continue
        stored = getattr(sighting, "features", None)
        if stored is not None and stored.local_key == local:
            view = global_view(sighting, image, offset, changed)
            globals_only.append((sighting, view, Features.from_bytes(bytes(stored.data))))
        else:
            full.append((sighting, image, offset, changed))
    focus = [focus_of(s, image, offset, changed) for s, image, offset, changed in full]
    features = extractor.extract([image for _, image, _, _ in full], focus) if full else []
    for (sighting, _, offset, changed), feats in zip(full, features, strict=True):
        if changed is not None:  # a whole frame: its keypoints on the camera's scene go
            size = (sighting.media.width, sighting.media.height)
            feats = feats.only(off_scene(changed, size, feats.keypoints, offset))
        pipeline_results.store_features(
            sighting.pk, feats.to_bytes(), extractor.model_versions, key, local
        )
    if globals_only:
        embedded = extractor.globals.embed([view for _, view, _ in globals_only])
        for i, (sighting, _, old) in enumerate(globals_only):
            feats = dataclasses.replace(old, globals={n: e[i] for n, e in embedded.items()})
            pipeline_results.store_features(
                sighting.pk, feats.to_bytes(), extractor.model_versions, key, local
            )
    return failed


@dataclass
class _CachedGallery:
    gallery: Gallery
    # gallery sighting id -> crop offset in its full image, to place correspondences
    offsets: dict[int, tuple[int, int]] = field(default_factory=dict)
    # gallery sighting id -> (features row id, individual id) the gallery was built from
    rows: dict[int, tuple[int, int | None]] = field(default_factory=dict)


_galleries: dict[tuple[int, str], _CachedGallery] = {}


def gallery_without_features(project: Project, config: PipelineConfig, limit: int) -> list[int]:
    """Confirmed sightings (gallery images) still without current features, oldest first."""
    return list(
        global_models.gallery_sightings(project)
        .exclude(features__config_key=config.config_key())
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


def _gallery_rows(project: Project, key: str) -> QuerySet[SightingFeatures]:
    return SightingFeatures.objects.filter(
        sighting__project=project,
        sighting__status=Sighting.Status.CONFIRMED,
        sighting__individual__isnull=False,
        config_key=key,
    )


def gallery_for(project: Project, config: PipelineConfig) -> _CachedGallery:
    """The project's gallery of confirmed sightings, kept in memory per worker process and
    brought up to date with what changed since: one query lists the gallery's (sighting,
    features row, individual); only new or re-extracted images have their features read, and
    a moved or merged image is relabelled without reading them, so a confirmation costs a
    few milliseconds, not a pass over every stored feature. Features rows are replaced, never
    edited (pipeline_results.store_features), so a row id names its content.
    """
    key = config.config_key()
    cached = _galleries.get((project.pk, key))
    if cached is None:
        # Another model in use: the project's galleries of older features are not needed.
        for stale in [k for k in _galleries if k[0] == project.pk]:
            del _galleries[stale]
        cached = _galleries[(project.pk, key)] = _CachedGallery(Gallery(config))
    current = {
        sighting_id: (row_id, individual_id)
        for row_id, sighting_id, individual_id in _gallery_rows(project, key).values_list(
            "pk", "sighting_id", "sighting__individual_id"
        )
    }
    gone = [i for i in cached.rows if i not in current]
    new_rows, relabelled = [], []
    for i, (row, individual) in current.items():
        had_row, had_individual = cached.rows.get(i, (None, None))
        if had_row != row:
            new_rows.append(i)
        elif had_individual != individual:
            relabelled.append(i)
    if gone:
        cached.gallery.remove(gone)
        for i in gone:
            cached.rows.pop(i)
            cached.offsets.pop(i, None)
    if relabelled:
        feats = [cached.gallery.features(i) for i in relabelled]
        cached.gallery.add(relabelled, [str(current[i][1]) for i in relabelled], feats)
        cached.rows.update({i: current[i] for i in relabelled})
    for start in range(0, len(new_rows), 500):
        _load_rows(cached, new_rows[start : start + 500], key)
    return cached


def _load_rows(cached: _CachedGallery, sighting_ids: list[int], key: str) -> None:
    ids, labels, feats = [], [], []
    rows = (
        SightingFeatures.objects.filter(sighting_id__in=sighting_ids, config_key=key)
        .select_related("sighting", "sighting__media")
        .order_by("sighting_id")
    )
    for row in rows:
        ids.append(row.sighting_id)
        labels.append(str(row.sighting.individual_id))
        feats.append(Features.from_bytes(bytes(row.data)))
        cached.offsets[row.sighting_id] = _offset_of(row.sighting)
        cached.rows[row.sighting_id] = (row.pk, row.sighting.individual_id)
    if ids:
        cached.gallery.add(ids, labels, feats)


def query_offset(sighting: Sighting) -> tuple[int, int]:
    """Where the sighting's crop starts in its full image."""
    return _offset_of(sighting)


def _offset_of(sighting: Sighting) -> tuple[int, int]:
    """Where load_crop's crop starts: the box, cut at the top data strip."""
    media = sighting.media
    box = sighting.crop_box(media.width, media.height) or (0, 0, media.width, media.height)
    first, last = strips_of(media).pixel_rows(media.height)
    top = max(box[1], first)
    return (box[0], top) if top < min(box[3], last) else (box[0], box[1])


def store_candidates(
    sighting: Sighting,
    candidates: list[IndividualScore],
    p_new: float,
    model_versions: dict,
    query_offset: tuple[int, int],
    gallery_offsets: dict[int, tuple[int, int]],
) -> None:
    """Store the new ranking, with correspondences moved from crop to full-image pixels."""
    qx, qy = query_offset
    ranked = []
    for cand in candidates:
        gallery = cand.gallery_id
        gx, gy = gallery_offsets.get(gallery, (0, 0)) if gallery is not None else (0, 0)
        correspondences = [
            [round(xq + qx, 1), round(yq + qy, 1), round(xg + gx, 1), round(yg + gy, 1),
             round(conf, 3)]
            for xq, yq, xg, yg, conf in cand.correspondences
        ]  # fmt: skip
        ranked.append(
            RankedCandidate(
                individual_id=int(cand.label),
                gallery_sighting_id=cand.gallery_id,
                fused=float(cand.score),
                scores=cand.scores,
                correspondences=correspondences,
            )
        )
    pipeline_results.store_ranking(sighting.pk, ranked, p_new, model_versions)
