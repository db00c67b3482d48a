"""MegaDetector from a local weights file, through the `megadetector` package.

Weights are never downloaded: `weights` names a file (REIDSITE_DETECTOR_WEIGHTS in the app),
e.g. MDV5A (`md_v5a.0.0.pt`) from the MegaDetector releases, copied onto the server by hand
(docs/detection.md). CUDA is used when torch sees it, else the CPU.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from PIL import Image, ImageFile

from worker.pipeline.detection.base import CATEGORIES, Detection

# Below this confidence a box is not worth keeping at all; the project's own threshold
# (0.2 by default, MegaDetector's usual value) decides what becomes a sighting.
KEEP_ABOVE = 0.01


@contextmanager
def unpatched_image_open() -> Iterator[None]:
    """Undo ultralytics' process-wide patch of `PIL.Image.open` when it leaves: on an
    unreadable file the patch tries to install pi-heif, so every later "not an image" in the
    process became "No module named 'pi_heif'". Ultralytics is imported by the package and,
    again, when a checkpoint is unpickled (its classes live in yolov5, which imports it)."""
    original, truncated = Image.open, ImageFile.LOAD_TRUNCATED_IMAGES
    try:
        yield
    finally:
        # yolov5 also switches on loading truncated images for the whole process.
        Image.open, ImageFile.LOAD_TRUNCATED_IMAGES = original, truncated


def import_without_patches() -> Callable[..., Any]:
    """The package's `load_detector`, imported without ultralytics' patch of Image.open."""
    with unpatched_image_open():
        from megadetector.detection.run_detector import load_detector
    loader: Callable[..., Any] = load_detector  # the package has no type hints
    return loader


class MegaDetector:
    name = "megadetector"

    def __init__(
        self, weights: str | Path, force_cpu: bool = False, keep_above: float = KEEP_ABOVE
    ) -> None:
        self.keep_above = keep_above
        path = Path(weights)
        if not path.is_file():
            raise FileNotFoundError(
                f"MegaDetector weights not found at {path}: download them once (see "
                "docs/detection.md) and point REIDSITE_DETECTOR_WEIGHTS at the file"
            )
        load_detector = import_without_patches()
        with unpatched_image_open():  # unpickling the checkpoint imports ultralytics again
            self._model = load_detector(str(path), force_cpu=force_cpu)
        with path.open("rb") as handle:
            digest = hashlib.file_digest(handle, "sha256").hexdigest()[:8]
        self.version = f"megadetector:{path.name}:{digest}"

    def detect(self, frames: Sequence[Image.Image]) -> list[list[Detection]]:
        results = []
        for n, frame in enumerate(frames):
            out = self._model.generate_detections_one_image(
                frame.convert("RGB"), f"frame-{n}", detection_threshold=self.keep_above
            )
            if out.get("failure"):
                raise RuntimeError(f"MegaDetector failed on frame {n}: {out['failure']}")
            results.append(
                [
                    Detection.clipped(CATEGORIES[str(d["category"])], d["conf"], d["bbox"])
                    for d in out.get("detections") or []
                    if str(d["category"]) in CATEGORIES
                ]
            )
        return results
