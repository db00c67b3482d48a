"""Whole frames to animal crops for the evaluation: strips per camera, then a detector.

`python -m worker.pipeline.evaluate --detector NAME` runs this before extraction, so quality
on frames as cameras take them is one command. Each frame becomes the crop of its most
confident animal detection (cut at the camera's data strips); a frame with none is evaluated
whole without its strips and counted, since a query cannot be dropped from the benchmark;
its keypoints on the camera's static scene are dropped, as the app does.
"""

from __future__ import annotations

import dataclasses
import sys
from collections import defaultdict
from collections.abc import Sequence

from PIL import Image

from worker.pipeline.data import Record
from worker.pipeline.detection.base import ANIMAL, Detector, get_detector
from worker.pipeline.detection.datastrip import Strips, find_strips
from worker.pipeline.detection.scene import Scene, is_whole_frame

STRIP_FRAMES = 8  # frames of a camera read to find its strips
MOTION_NEIGHBOURS = 5  # other frames of the camera a frame is compared with


def _full(record: Record) -> Image.Image:
    with Image.open(record.path) as image:
        return image.convert("RGB")


def cameras_of(records: Sequence[Record]) -> tuple[dict[str, Strips], dict[str, Scene]]:
    """The data strips and static scene of each camera named in the records (none without a
    camera name), from the same few frames of it, as the app finds them per deployment."""
    by_camera: dict[str, list[Record]] = defaultdict(list)
    for record in records:
        if record.camera:
            by_camera[record.camera].append(record)
    strips, scenes = {}, {}
    for camera, recs in by_camera.items():
        sample = [_full(r) for r in sorted(recs, key=lambda r: str(r.path))[:STRIP_FRAMES]]
        strips[camera] = find_strips(sample)
        if (scene := Scene.of(sample)) is not None:
            scenes[camera] = scene
    return strips, scenes


def _pixels(
    bbox: tuple[float, float, float, float], image: Image.Image
) -> tuple[float, float, float, float]:
    x, y, w, h = bbox
    return (x * image.width, y * image.height, w * image.width, h * image.height)


def crop_records(
    records: Sequence[Record],
    detector_name: str,
    min_conf: float = 0.2,
    weights: str | None = None,
) -> tuple[list[Record], dict[str, int]]:
    """Records whose bbox is the detected animal (pixels), and counts of what happened."""
    strips, scenes = cameras_of(records)
    options: dict[str, object] = {"weights": weights} if detector_name == "megadetector" else {}
    shared: Detector | None = None
    if detector_name != "motion":
        shared = get_detector(detector_name, **options)
    by_camera: dict[str, list[Record]] = defaultdict(list)
    for record in records:
        by_camera[record.camera].append(record)
    stats = {"frames": 0, "animal": 0, "no_animal": 0, "cameras_with_strips": 0}
    stats["cameras_with_strips"] = sum(1 for s in strips.values() if s.found)
    out = []
    for n, record in enumerate(records, start=1):
        camera_strips = strips.get(record.camera, Strips())
        frame = _full(record)
        if shared is None:
            # Motion compares the frame with its camera's neighbouring frames.
            mates = [r for r in by_camera[record.camera] if r is not record][:MOTION_NEIGHBOURS]
            motion = get_detector("motion", strips=camera_strips)
            found = motion.detect([frame, *(_full(r) for r in mates)])[0]
        else:
            found = shared.detect([frame])[0]
        animals = sorted(
            (d for d in found if d.category == ANIMAL and d.conf >= min_conf),
            key=lambda d: -d.conf,
        )
        box = None
        for detection in animals:  # most confident first that survives the strips
            box = camera_strips.clip(detection.bbox)
            if box is not None:
                break
        stats["frames"] += 1
        stats["animal" if box is not None else "no_animal"] += 1
        box = box or camera_strips.content_box()
        # A whole frame (no animal found, or "none"): its keypoints on the camera's scene go.
        whole = is_whole_frame(box, camera_strips.content_box()[3])
        scene = scenes.get(record.camera) if whole else None
        out.append(dataclasses.replace(record, bbox=_pixels(box, frame), scene=scene))
        if n % 50 == 0:
            print(f"detection: {n}/{len(records)} frames", file=sys.stderr, flush=True)
    return out, stats
