"""A fixed camera's scene: what its frames share, so keypoints on it can be dropped.

A camera trap photographs the same riverbank in every frame. The keypoints of a whole-frame
sighting then mostly lie on the bank, and two animals seen by one camera "match" on it. The
per-pixel median of a few frames spread over the deployment is its scene (an animal that is
in one or two of them is not in the median). Where a frame looks like the scene, a keypoint is
scene and is dropped; keypoints on what differs (the animal) are kept. Like the data strips,
the scene is found per deployment and frame size, from the same sampled frames.

The global descriptor of a whole frame sees the same bank in every frame of the camera, so it
ranks by camera, not by animal; and an animal covering 2 % of the frame gets few keypoints at
the matcher's resolution. Both are computed on the frame's focus instead: the box around the
largest region that differs from the scene, padded (`focus_box`). The sighting itself stays a
whole frame; only what the matcher looks at narrows.

Where the scene does not explain a frame (night against day frames, a moved camera, an animal
that stood in most of the sampled frames), nearly everything differs, or nearly nothing does;
the frame's keypoints are then all kept, and the matcher sees the whole frame, as before.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageFilter
from scipy import ndimage

SIZE = 256  # longest side of the stored scene, pixels
MIN_FRAMES = 3  # a median of fewer frames keeps the animals that are in them
DIFF = 28  # grey levels (of 255) from the scene, after matching brightness, that count as change
BLUR = 1.5  # radius: sensor noise and JPEG blocks are not change
GROW = 2  # scene pixels a changed region is widened by (an animal's outline is keypoint-rich)
# A frame where less than this share of the scene changed, or more, is not explained by it.
MIN_CHANGED, MAX_CHANGED = 0.002, 0.6
MIN_KEPT = 16  # fewer keypoints off the scene than this: keep them all
# A box covering this share of the frame below its data strips is the whole frame (what the
# "none" detector makes): its keypoints on the scene go. A detector's smaller box holds the
# animal, camouflaged or not, and keeps all of its keypoints.
WHOLE_SCENE = 0.9
# The focus: changed regions at least this share of the largest one's area belong to it when
# they lie within its padded box (an animal's legs or tail can come apart from its body).
FOCUS_PART = 0.1
FOCUS_PAD = 0.2  # share of the focus's width and height added on each side
FOCUS_MIN = 1 / 8  # shortest focus side, as a share of the frame's longest side


def _small_grey(image: Image.Image, size: tuple[int, int]) -> np.ndarray:
    small = image.convert("L").resize(size, Image.Resampling.BILINEAR)
    return np.asarray(small.filter(ImageFilter.GaussianBlur(BLUR)), dtype=np.float32)


def _scene_size(width: int, height: int) -> tuple[int, int]:
    scale = SIZE / max(width, height)
    return max(1, round(width * scale)), max(1, round(height * scale))


@dataclass(frozen=True)
class Scene:
    pixels: np.ndarray  # float32 [h, w] grey median, blurred, at _scene_size of the frames
    frame_size: tuple[int, int]  # (width, height) of the frames it was found from

    @classmethod
    def of(cls, frames: Sequence[Image.Image]) -> Scene | None:
        """The scene of frames of one camera (same size); None from fewer than MIN_FRAMES."""
        if not frames:
            return None
        frame_size = frames[0].size
        same = [f for f in frames if f.size == frame_size]
        if len(same) < MIN_FRAMES:
            return None
        size = _scene_size(*frame_size)
        stack = np.stack([_small_grey(f, size) for f in same])
        return cls(np.median(stack, axis=0).astype(np.float32), frame_size)

    def changed(self, frame: Image.Image) -> np.ndarray | None:
        """Where the frame differs from the scene (bool, at scene size); None where the scene
        does not explain the frame (another size, or too little or too much changed)."""
        if frame.size != self.frame_size:
            return None
        h, w = self.pixels.shape
        grey = _small_grey(frame, (w, h))
        # Exposure differs between frames: match the frame's brightness to the scene's first.
        scale = float(np.median(self.pixels)) / max(float(np.median(grey)), 1.0)
        diff = np.abs(grey * min(max(scale, 0.5), 2.0) - self.pixels) > DIFF
        share = float(diff.mean())
        if not MIN_CHANGED <= share <= MAX_CHANGED:
            return None
        return _grow(diff, GROW)

    def keep(
        self, frame: Image.Image, keypoints: np.ndarray, offset: tuple[int, int] = (0, 0)
    ) -> np.ndarray:
        """Which keypoints (N×2, pixels of a crop of `frame` starting at `offset`) lie off the
        scene. All of them where the scene does not explain the frame or too few would remain."""
        changed = self.changed(frame) if len(keypoints) else None
        return off_scene(changed, frame.size, keypoints, offset)

    def to_bytes(self) -> bytes:
        """A small PNG (the frame size in its text chunk), to keep with the deployment."""
        from PIL import PngImagePlugin

        info = PngImagePlugin.PngInfo()
        info.add_text("frame_size", f"{self.frame_size[0]}x{self.frame_size[1]}")
        out = io.BytesIO()
        image = Image.fromarray(np.clip(self.pixels, 0, 255).round().astype(np.uint8))
        image.save(out, format="PNG", pnginfo=info)
        return out.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> Scene:
        with Image.open(io.BytesIO(data)) as image:
            width, height = (int(v) for v in image.text["frame_size"].split("x"))  # type: ignore[attr-defined]
            pixels = np.asarray(image.convert("L"), dtype=np.float32)
        return cls(pixels, (width, height))


def is_whole_frame(bbox: Sequence[float] | None, scene_height: float = 1.0) -> bool:
    """Whether a relative [x, y, w, h] box (None: no box) is the whole frame, for the scene;
    `scene_height`: the share of the frame's height between its data strips."""
    if bbox is None:
        return True
    return bbox[2] * bbox[3] >= WHOLE_SCENE * scene_height


def off_scene(
    changed: np.ndarray | None,
    frame_size: tuple[int, int],
    keypoints: np.ndarray,
    offset: tuple[int, int] = (0, 0),
) -> np.ndarray:
    """Which keypoints lie where the frame changed (Scene.changed, kept small so a worker does
    not hold whole frames until extraction); all of them without a mask or when too few would
    remain."""
    every = np.ones(len(keypoints), dtype=bool)
    if changed is None or not len(keypoints):
        return every
    h, w = changed.shape
    x = (keypoints[:, 0].astype(np.float64) + offset[0]) * w / frame_size[0]
    y = (keypoints[:, 1].astype(np.float64) + offset[1]) * h / frame_size[1]
    kept = changed[np.clip(y.astype(int), 0, h - 1), np.clip(x.astype(int), 0, w - 1)]
    return kept if int(kept.sum()) >= MIN_KEPT else every


def _grow(mask: np.ndarray, by: int) -> np.ndarray:
    """The mask widened by `by` pixels in each direction (a square dilation)."""
    out = mask.copy()
    for _ in range(by):
        grown = out.copy()
        grown[1:, :] |= out[:-1, :]
        grown[:-1, :] |= out[1:, :]
        grown[:, 1:] |= out[:, :-1]
        grown[:, :-1] |= out[:, 1:]
        out = grown
    return out


def focus_box(
    changed: np.ndarray | None, frame_size: tuple[int, int]
) -> tuple[int, int, int, int] | None:
    """The part of a whole frame its global descriptor should see, as (left, top, right,
    bottom) frame pixels: the box around the largest changed region (Scene.changed) and the
    changed parts near it, padded. None without a mask (the whole frame is seen)."""
    if changed is None or not changed.any():
        return None
    labels, count = ndimage.label(changed, structure=np.ones((3, 3), dtype=bool))
    areas = np.bincount(labels.ravel(), minlength=count + 1)[1:]
    slices = ndimage.find_objects(labels)
    largest = int(np.argmax(areas))
    top, left = slices[largest][0].start, slices[largest][1].start
    bottom, right = slices[largest][0].stop, slices[largest][1].stop
    near_x, near_y = right - left, bottom - top
    for i, (rows, cols) in enumerate(slices):
        if areas[i] < FOCUS_PART * areas[largest]:
            continue
        if (
            cols.start < right + near_x
            and cols.stop > left - near_x
            and rows.start < bottom + near_y
            and rows.stop > top - near_y
        ):
            top, left = min(top, rows.start), min(left, cols.start)
            bottom, right = max(bottom, rows.stop), max(right, cols.stop)
    h, w = changed.shape
    sx, sy = frame_size[0] / w, frame_size[1] / h
    least = FOCUS_MIN * max(frame_size)
    width = max((right - left) * sx * (1 + 2 * FOCUS_PAD), least)
    height = max((bottom - top) * sy * (1 + 2 * FOCUS_PAD), least)
    cx, cy = (left + right) / 2 * sx, (top + bottom) / 2 * sy
    box = (
        max(0, round(cx - width / 2)),
        max(0, round(cy - height / 2)),
        min(frame_size[0], round(cx + width / 2)),
        min(frame_size[1], round(cy + height / 2)),
    )
    return box if box[2] > box[0] and box[3] > box[1] else None


def focus_in(
    size: tuple[int, int],
    offset: tuple[int, int],
    changed: np.ndarray | None,
    frame_size: tuple[int, int],
) -> tuple[int, int, int, int] | None:
    """The frame's focus within a crop of it (`size`, starting at `offset`), in the crop's
    pixels; None without one (the whole crop is seen)."""
    box = focus_box(changed, frame_size)
    if box is None:
        return None
    left, top = max(box[0] - offset[0], 0), max(box[1] - offset[1], 0)
    right, bottom = min(box[2] - offset[0], size[0]), min(box[3] - offset[1], size[1])
    if right - left < 8 or bottom - top < 8:
        return None
    return left, top, right, bottom


def focused(
    image: Image.Image,
    offset: tuple[int, int],
    changed: np.ndarray | None,
    frame_size: tuple[int, int],
) -> Image.Image:
    """What the matcher sees of `image`, a crop of a frame of `frame_size` starting at
    `offset`: its part within the frame's focus, or all of it without one."""
    box = focus_in(image.size, offset, changed, frame_size)
    return image if box is None else image.crop(box)
