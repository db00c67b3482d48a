"""The Django side of detection: which frames, in which groups, with which detector and data
strips; results are stored through identification.services.detections.

Called by worker.tasks.detection; worker.pipeline.detection knows nothing of Django.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageOps

from identification.models import Batch, Deployment, Media, Project
from identification.services import detection_import
from identification.services import detections as detection_service
from worker.pipeline.detection import Detector, get_detector
from worker.pipeline.detection.datastrip import Strips, find_strips
from worker.pipeline.detection.megadetector import KEEP_ABOVE
from worker.pipeline.detection.scene import Scene

log = logging.getLogger(__name__)

D = Media.Detection
# Frames per task run: a few bursts; MegaDetector on a CPU takes seconds per frame.
CHUNK = 48
# Frames a camera's data strips are found from (spread over its time span).
STRIP_FRAMES = 8
# A frame that has no burst partners is compared with this many neighbouring frames of its
# deployment (the motion backend needs something to compare with).
NEIGHBOURS = 4

_megadetectors: dict[str, Detector] = {}


def detector_for(project: Project, strips: Strips) -> Detector | None:
    """The project's detector (None for "import": its frames wait for a file). MegaDetector is
    loaded once per worker process; motion is cheap and holds the camera's strips."""
    backend = detection_service.backend_of(project)
    if backend == "import":
        return None
    if backend == "megadetector":
        weights = settings.REIDSITE_DETECTOR_WEIGHTS
        if not weights:
            raise RuntimeError(
                "this project detects with MegaDetector: set REIDSITE_DETECTOR_WEIGHTS"
            )
        # Kept: everything down to the project's threshold (or MegaDetector's usual 0.01).
        keep_above = min(KEEP_ABOVE, project.detection_threshold)
        key = f"{weights}@{keep_above}"
        if key not in _megadetectors:
            _megadetectors[key] = get_detector(
                "megadetector", weights=weights, keep_above=keep_above
            )
        return _megadetectors[key]
    if backend == "motion":
        return get_detector("motion", strips=strips)
    return get_detector("none")


def load_frame(media: Media) -> Image.Image:
    """The frame as displayed (EXIF orientation applied), in RGB."""
    with media.file.open("rb") as handle:
        image = Image.open(handle)
        return ImageOps.exif_transpose(image).convert("RGB")


def _camera_key(media: Media) -> tuple:
    where = f"d{media.deployment_id}" if media.deployment_id else f"b{media.batch_id}"
    return (where, media.width, media.height)


def _spread(items: list[Media], n: int) -> list[Media]:
    if len(items) <= n:
        return items
    step = (len(items) - 1) / (n - 1)
    return [items[round(i * step)] for i in range(n)]


def strips_for(media: Iterable[Media]) -> None:
    """Find (or reuse) the data strips and the static scene of each camera these frames come
    from; the strips are stored on every frame of that camera. Per deployment and frame size,
    kept on the deployment (the scene as a small PNG in storage)."""
    by_camera: dict[tuple, list[Media]] = defaultdict(list)
    for m in media:
        by_camera[_camera_key(m)].append(m)
    for (_where, width, height), frames in by_camera.items():
        deployment = frames[0].deployment if frames[0].deployment_id else None
        size = f"{width}x{height}"
        known = (deployment.data_strips or {}).get(size) if deployment else None
        if (
            known
            and known.get("frames", 0) >= STRIP_FRAMES
            and not _scene_may_grow(deployment, width, height, known)
        ):
            strips = Strips.from_dict(known)
        else:
            pool = Media.objects.filter(width=width, height=height)
            pool = (
                pool.filter(deployment=deployment)
                if deployment
                else pool.filter(batch=frames[0].batch_id)
            )
            ordered = list(pool.order_by("taken_at", "pk"))
            images = _readable(_spread(ordered, STRIP_FRAMES))
            strips = find_strips(list(images.values()))
            if deployment is not None:
                scene, events = _scene_of(ordered, images)
                _remember(deployment, size, strips, len(images), scene, events)
        detection_service.set_strips([m.pk for m in frames], strips)
        for m in frames:
            m.strip_top, m.strip_bottom = strips.top, strips.bottom


def _readable(sample: list[Media]) -> dict[int, Image.Image]:
    images = {}
    for m in sample:
        try:
            images[m.pk] = load_frame(m)
        except Exception as exc:  # noqa: BLE001 - an unreadable frame is not a strip
            log.warning("media %s: cannot read for data strips: %s", m.pk, exc)
    return images


def _scene_of(ordered: list[Media], loaded: dict[int, Image.Image]) -> tuple[Scene | None, int]:
    """The camera's scene from one frame per event (an animal resting through a burst is
    in every frame of it, and would become scene), spread over the deployment; and how many
    events there were to choose from."""
    firsts: dict[object, Media] = {}
    for m in ordered:
        firsts.setdefault(_event_key(m), m)
    sample = _spread(list(firsts.values()), STRIP_FRAMES)
    images = {**loaded, **_readable([m for m in sample if m.pk not in loaded])}
    return Scene.of([images[m.pk] for m in sample if m.pk in images]), len(firsts)


def _event_key(media: Media) -> object:
    return media.event_id or f"media-{media.pk}"


def _scene_may_grow(deployment: Deployment | None, width: int, height: int, known: dict) -> bool:
    """Whether the kept strips and scene should be found again: none was looked for yet, or
    too few events had a scene, and the camera has more events now (a first upload of one
    burst must not leave the deployment without a scene for good)."""
    if "scene" not in known:
        return True
    if known["scene"] or deployment is None:
        return False
    frames = Media.objects.filter(deployment=deployment, width=width, height=height)
    return len({_event_key(m) for m in frames.only("pk", "event_id")}) > known.get("events", 0)


def _remember(
    deployment: Deployment, size: str, strips: Strips, frames: int, scene: Scene | None,
    events: int,
) -> None:  # fmt: skip
    deployment.refresh_from_db(fields=["data_strips"])
    data = dict(deployment.data_strips or {})
    name = ""  # "": looked for, none found yet (too few events)
    if scene is not None:
        # Named by content: a worker that read an earlier scene never mistakes it for this.
        png = scene.to_bytes()
        digest = hashlib.sha1(png).hexdigest()[:12]
        path = f"scenes/{deployment.project_id}/deployment-{deployment.pk}-{size}-{digest}.png"
        if not default_storage.exists(path):
            path = default_storage.save(path, ContentFile(png))
        name = path
    old = (data.get(size) or {}).get("scene")
    if old and old != name:
        default_storage.delete(old)
    data[size] = {**strips.to_dict(), "frames": frames, "scene": name, "events": events}
    Deployment.objects.filter(pk=deployment.pk).update(data_strips=data)
    deployment.data_strips = data


_scenes: dict[str, Scene] = {}


def scene_of(media: Media) -> Scene | None:
    """The static scene of the frame's camera (None when none is known); read once per
    worker process."""
    deployment = media.deployment
    if deployment is None:
        return None
    known = (deployment.data_strips or {}).get(f"{media.width}x{media.height}") or {}
    name = known.get("scene")
    if not name:
        return None
    if name not in _scenes:
        try:
            with default_storage.open(name, "rb") as handle:
                _scenes[name] = Scene.from_bytes(handle.read())
        except (OSError, ValueError, KeyError) as exc:
            log.warning("deployment %s: unreadable scene %s: %s", media.deployment_id, name, exc)
            return None
    return _scenes[name]


def _groups(media: list[Media]) -> list[list[Media]]:
    """Frames of one event together, in time order; frames of no event alone."""
    by_event: dict[object, list[Media]] = defaultdict(list)
    for m in media:
        by_event[m.event_id or f"media-{m.pk}"].append(m)
    return [
        sorted(g, key=lambda m: (m.taken_at is None, m.taken_at, m.pk)) for g in by_event.values()
    ]


def _neighbours(media: Media, exclude: set[int]) -> list[Media]:
    if not media.deployment_id or media.taken_at is None:
        return []
    same = Media.objects.filter(
        deployment_id=media.deployment_id, width=media.width, height=media.height
    ).exclude(pk__in=exclude)
    before = list(same.filter(taken_at__lt=media.taken_at).order_by("-taken_at")[: NEIGHBOURS // 2])
    after = list(same.filter(taken_at__gte=media.taken_at).order_by("taken_at")[: NEIGHBOURS // 2])
    return before + after


def detect_chunk(batch: Batch) -> bool:
    """Detect up to CHUNK waiting frames of the batch, for about REIDSITE_BATCH_SLICE_SECONDS
    (whole events at a time); True when frames still wait (for the next task run). A project
    on "import" only applies its file and leaves the rest waiting."""
    project = batch.project
    if batch.detections_file and not batch.detections_report:
        # The strips of every frame first (cached per deployment), so imported boxes stop at
        # them too; once per file, not on every run of a large batch.
        strips_for(Media.objects.filter(batch=batch).select_related("deployment"))
        detection_import.apply_stored_file(batch)
    if detection_service.backend_of(project) == "import":
        return False
    waiting = list(
        Media.objects.filter(batch=batch, detection_status=D.PENDING)
        .select_related("deployment")
        .order_by("deployment_id", "event_id", "taken_at", "pk")[: CHUNK + 1]
    )
    chunk = waiting[:CHUNK]
    if not chunk:
        return False
    strips_for(chunk)
    # A slice of time, not of frames: the task then re-queues behind what experts wait for.
    started = time.monotonic()
    for group in _groups(chunk):
        if time.monotonic() - started > settings.REIDSITE_BATCH_SLICE_SECONDS:
            return True
        _detect_group(project, group)
    return len(waiting) > CHUNK


def _detect_group(project: Project, group: list[Media]) -> None:
    strips = detection_service.strips_of(group[0])
    try:
        detector = detector_for(project, strips)
        if detector is None:
            return
        context: list[Media] = []
        if detector.name == "motion" and len(group) == 1:
            context = _neighbours(group[0], {group[0].pk})
        frames = [load_frame(m) for m in group + context]
        results = detector.detect(frames)[: len(group)]
    except Exception as exc:  # noqa: BLE001 - the frames stay whole, each saying why
        log.warning("detection failed on media %s: %s", [m.pk for m in group], exc)
        for m in group:
            detection_service.mark_failed(
                m.pk, f"Detection failed ({exc.__class__.__name__}: {exc}); kept as a whole frame."
            )
        return
    name = detector.version if detector.name != "none" else "none"
    for m, found in zip(group, results, strict=True):
        detection_service.apply_detections(m.pk, found, name)
