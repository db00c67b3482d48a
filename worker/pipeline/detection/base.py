"""The detection interface shared by every backend."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from PIL import Image

ANIMAL, PERSON, VEHICLE = "animal", "person", "vehicle"
# MegaDetector's category ids, as its batch output JSON writes them.
CATEGORIES = {"1": ANIMAL, "2": PERSON, "3": VEHICLE}


@dataclass(frozen=True)
class Detection:
    """One object in a frame: category, confidence and a relative [x, y, w, h] box."""

    category: str
    conf: float
    bbox: tuple[float, float, float, float]

    def __post_init__(self) -> None:
        x, y, w, h = self.bbox
        if not (0 <= x <= 1 and 0 <= y <= 1 and 0 < w <= 1 and 0 < h <= 1):
            raise ValueError(f"box {self.bbox} is not relative [x, y, w, h] inside the frame")
        if not 0 <= self.conf <= 1:
            raise ValueError(f"confidence {self.conf} is not between 0 and 1")

    @classmethod
    def clipped(cls, category: str, conf: float, bbox: Sequence[float]) -> Detection:
        """A detection whose box is cut to the frame (detectors overshoot edges slightly)."""
        x, y, w, h = (float(v) for v in bbox)
        if x >= 0 and y >= 0 and w > 0 and h > 0 and x + w <= 1 and y + h <= 1:
            return cls(category, min(max(float(conf), 0.0), 1.0), (x, y, w, h))
        x0, y0 = min(max(x, 0.0), 1.0), min(max(y, 0.0), 1.0)
        x1, y1 = min(max(x + w, 0.0), 1.0), min(max(y + h, 0.0), 1.0)
        w, h = max(x1 - x0, 1e-6), max(y1 - y0, 1e-6)
        return cls(category, min(max(float(conf), 0.0), 1.0), (x0, y0, w, h))

    def iou(self, other: Detection) -> float:
        ax, ay, aw, ah = self.bbox
        bx, by, bw, bh = other.bbox
        ix = max(0.0, min(ax + aw, bx + bw) - max(ax, bx))
        iy = max(0.0, min(ay + ah, by + bh) - max(ay, by))
        inter = ix * iy
        union = aw * ah + bw * bh - inter
        return inter / union if union > 0 else 0.0


class Detector(Protocol):
    """Frames of one camera, in time order, in; a list of detections per frame out."""

    name: str
    version: str

    def detect(self, frames: Sequence[Image.Image]) -> list[list[Detection]]: ...


class WholeFrame:
    """No detector: each frame is one animal box covering it (the data strips are cut later)."""

    name = "none"
    version = "none"

    def detect(self, frames: Sequence[Image.Image]) -> list[list[Detection]]:
        return [[Detection(ANIMAL, 1.0, (0.0, 0.0, 1.0, 1.0))] for _ in frames]


def get_detector(name: str, **options: object) -> Detector:
    """The backend called `name`: megadetector (needs `weights`), motion or none."""
    if name == "none":
        return WholeFrame()
    if name == "motion":
        from worker.pipeline.detection.motion import MotionDetector

        return MotionDetector(**options)  # type: ignore[arg-type]
    if name == "megadetector":
        from worker.pipeline.detection.megadetector import MegaDetector

        return MegaDetector(**options)  # type: ignore[arg-type]
    raise ValueError(f"unknown detector {name!r}: megadetector, motion or none")
