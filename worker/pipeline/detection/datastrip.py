"""The data strips cameras burn into their frames (time bars, logos), found per camera.

A strip is the same pixels in every frame of a camera: black bars with white text, written
by the camera after exposure. The scene never is, even in a burst taken within one second:
sensor noise and JPEG compression change most natural pixels by more than one grey level.
So a row belongs to a strip when most of its pixels are equal (within one grey level) across
the camera's frames, and a strip is a band of such rows touching the top or bottom edge (the
digits of the clock change, so a strip row is "mostly", not "all", equal).

Measured on the ten Reconyx frames of the Camtrap DP example: strip rows 0.90–1.00 equal, scene
rows at most 0.006 (median 0). It needs at least two frames; with one, nothing is found.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image

# A strip row has at least this share of its pixels equal across frames.
EQUAL_SHARE = 0.6
# Strips are bars along an edge, not most of the frame.
MAX_STRIP_SHARE = 0.25
# Columns sampled per row: subsampling (not resizing, which would average the noise away).
COLUMN_STEP = 4


@dataclass(frozen=True)
class Strips:
    """Relative heights of the strips at the top and bottom of a camera's frames."""

    top: float = 0.0
    bottom: float = 0.0

    @property
    def found(self) -> bool:
        return self.top > 0 or self.bottom > 0

    def content_box(self) -> tuple[float, float, float, float]:
        """The part of the frame that is scene: relative [x, y, w, h]."""
        return (0.0, self.top, 1.0, max(1.0 - self.top - self.bottom, 1e-6))

    def clip(self, bbox: Sequence[float]) -> tuple[float, float, float, float] | None:
        """A relative box cut so it stops at the strips; None when nothing of it is scene."""
        x, y, w, h = bbox
        if y >= self.top and y + h <= 1.0 - self.bottom:
            return (x, y, w, h)  # as given: no rounding error on a box that is not cut
        y0, y1 = max(y, self.top), min(y + h, 1.0 - self.bottom)
        if y1 <= y0:
            return None
        return (x, y0, w, y1 - y0)

    def pixel_rows(self, height: int) -> tuple[int, int]:
        """[first, last) rows of scene in an image `height` pixels high."""
        return round(self.top * height), height - round(self.bottom * height)

    def to_dict(self) -> dict[str, float]:
        return {"top": self.top, "bottom": self.bottom}

    @classmethod
    def from_dict(cls, data: dict[str, float] | None) -> Strips:
        data = data or {}
        return cls(float(data.get("top", 0.0)), float(data.get("bottom", 0.0)))


def _grey_rows(frames: Sequence[Image.Image]) -> np.ndarray | None:
    """frames x rows x sampled columns, or None when the frames differ in size."""
    sizes = {f.size for f in frames}
    if len(sizes) != 1:
        return None
    return np.stack([np.asarray(f.convert("L"))[:, ::COLUMN_STEP].astype(np.int16) for f in frames])


def equal_share_per_row(frames: Sequence[Image.Image]) -> np.ndarray | None:
    """For each row, the share of its sampled pixels within one grey level in every frame."""
    stack = _grey_rows(frames)
    if stack is None or len(stack) < 2:
        return None
    spread = stack.max(axis=0) - stack.min(axis=0)
    share: np.ndarray = (spread <= 1).mean(axis=1)
    return share


def _band_from_edge(static: np.ndarray) -> int:
    """Rows from the start of `static` that are a strip, allowing a few noisy rows inside."""
    n, gap, last = len(static), 0, 0
    for i in range(n):
        if static[i]:
            last, gap = i + 1, 0
        else:
            gap += 1
            if gap > max(2, n // 200):
                break
    return last


def find_strips(frames: Sequence[Image.Image]) -> Strips:
    """The strips of one camera from two or more of its frames (same size)."""
    share = equal_share_per_row(frames)
    if share is None:
        return Strips()
    static = share >= EQUAL_SHARE
    height = len(share)
    limit = int(height * MAX_STRIP_SHARE)
    top = min(_band_from_edge(static), limit)
    bottom = min(_band_from_edge(static[::-1]), limit)
    if top + bottom >= height:
        return Strips()  # the frames are identical copies: no way to tell strip from scene
    return Strips(top / height, bottom / height)
