"""Motion detection: what changed between the frames of one event, with no weights at all.

Each frame is compared with the median of the event's other frames (the background while the
animal moves); pixels that differ by more than the threshold, after each frame's brightness
is levelled to the others', form blobs, and each large enough blob is one animal box.

Where it fails, plainly: a single frame has nothing to compare with (it is kept whole, never
called blank); an animal that does not move through the burst is part of the median
background and is missed; moving vegetation, rain and shadows make boxes of their own; a
flash or day/night switch within an event changes more than brightness levelling undoes.
benchmarks/detection.py measures recall and precision on generated bursts.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PIL import Image, ImageFilter
from scipy import ndimage

from worker.pipeline.detection.base import ANIMAL, Detection, WholeFrame
from worker.pipeline.detection.datastrip import Strips

WORK_WIDTH = 480  # frames are compared at this width: enough for animals, fast on a CPU


class MotionDetector:
    name = "motion"

    def __init__(
        self,
        threshold: float = 28.0,
        min_area: float = 0.002,
        strips: Strips | None = None,
    ) -> None:
        self.threshold = threshold  # grey levels of difference that count as change
        self.min_area = min_area  # smallest blob, as a share of the frame
        self.strips = strips or Strips()
        self.version = f"motion-t{threshold:g}-a{min_area:g}"

    def detect(self, frames: Sequence[Image.Image]) -> list[list[Detection]]:
        if len(frames) < 2 or len({f.size for f in frames}) != 1:
            return WholeFrame().detect(frames)
        grey = self._prepare(frames)
        results = []
        for i in range(len(grey)):
            others = np.delete(grey, i, axis=0)
            background = np.median(others, axis=0)
            frame = grey[i] + (np.median(background) - np.median(grey[i]))
            results.append(self._boxes(np.abs(frame - background)))
        return results

    def _prepare(self, frames: Sequence[Image.Image]) -> np.ndarray:
        width, height = frames[0].size
        size = (WORK_WIDTH, max(1, round(height * WORK_WIDTH / width)))
        stack = np.stack(
            [
                np.asarray(
                    f.convert("L")
                    .resize(size, Image.Resampling.BILINEAR)
                    .filter(ImageFilter.GaussianBlur(1.5)),
                    dtype=np.float32,
                )
                for f in frames
            ]
        )
        top, bottom = self.strips.pixel_rows(size[1])
        stack[:, :top] = 0.0  # the strips' clock digits change between frames: never motion
        stack[:, bottom:] = 0.0
        return stack

    def _boxes(self, diff: np.ndarray) -> list[Detection]:
        mask = diff > self.threshold
        mask = ndimage.binary_opening(mask, iterations=1)
        height, width = diff.shape
        # Join the pieces of one animal: a patterned coat differs from the ground in patches.
        reach = max(3, width // 40)
        joined = ndimage.binary_dilation(mask, structure=np.ones((3, 3)), iterations=reach)
        labels, _ = ndimage.label(joined)
        labels = np.where(mask, labels, 0)
        boxes = []
        for index, found in enumerate(ndimage.find_objects(labels), start=1):
            if found is None:
                continue
            blob = labels[found] == index
            if blob.sum() < self.min_area * height * width:
                continue
            rows, cols = found
            strength = float(diff[found][blob].mean())
            conf = min(1.0, strength / (4 * self.threshold))
            box = (
                cols.start / width,
                rows.start / height,
                (cols.stop - cols.start) / width,
                (rows.stop - rows.start) / height,
            )
            boxes.append(Detection.clipped(ANIMAL, conf, box))
        return sorted(boxes, key=lambda d: -d.conf)
