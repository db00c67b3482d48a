"""Synthetic "individuals" for the demo and the tests: each has a fixed random coat of spots
and stripes, seen in each view with a different crop, rotation and brightness, the way a
camera trap sees the same animal pass again."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import numpy as np
from PIL import Image


def pattern_image(individual: int, view: int, size: int = 256) -> Image.Image:
    rng = np.random.default_rng(1000 + individual)
    canvas = np.full((size * 2, size * 2), 128, dtype=np.float32)
    yy, xx = np.mgrid[0 : size * 2, 0 : size * 2]
    scale = size / 256
    for _ in range(14):
        cx, cy = rng.uniform(0, size * 2, 2)
        r = rng.uniform(6, 22) * scale
        canvas[(xx - cx) ** 2 + (yy - cy) ** 2 < r * r] = rng.choice([20, 235])
    for _ in range(5):
        angle = rng.uniform(0, np.pi)
        offset = rng.uniform(0, size * 2)
        band = np.abs(np.cos(angle) * xx + np.sin(angle) * yy - offset) < rng.uniform(3, 9) * scale
        canvas[band] = 30
    view_rng = np.random.default_rng(individual * 100 + view)
    image = Image.fromarray(canvas.astype(np.uint8)).convert("RGB")
    image = image.rotate(view_rng.uniform(-12, 12), resample=Image.Resampling.BILINEAR)
    dx, dy = view_rng.integers(size // 3, size // 3 * 2, 2)
    image = image.crop((int(dx), int(dy), int(dx) + size, int(dy) + size))
    gain = view_rng.uniform(0.8, 1.2)
    return image.point(lambda v: max(0, min(255, int(v * gain))))


def camera_trap_jpeg(
    individual: int,
    view: int,
    taken_at: dt.datetime | None,
    size: tuple[int, int] = (960, 720),
    exif: bytes | None = None,
) -> bytes:
    """A camera-trap-like frame: the animal's coat on a plain background, as JPEG bytes."""
    width, height = size
    frame = Image.new("RGB", size, (96, 112, 84))
    animal = pattern_image(individual, view, size=min(width, height) * 2 // 3)
    frame.paste(animal, ((width - animal.width) // 2, (height - animal.height) // 2))
    out = io.BytesIO()
    kwargs: dict[str, Any] = {"quality": 88}
    if exif is not None:
        kwargs["exif"] = exif
    elif taken_at is not None:
        exif_data = Image.Exif()
        exif_data[0x010F] = "reidsite demo"  # Make
        exif_data.get_ifd(0x8769)[0x9003] = taken_at.strftime("%Y:%m:%d %H:%M:%S")
        kwargs["exif"] = exif_data.tobytes()
    frame.save(out, "JPEG", **kwargs)
    return out.getvalue()


def _scene(rng: np.random.Generator, width: int, height: int) -> np.ndarray:
    """A textured riverbank-like background: smooth relief plus fine grain."""
    coarse = rng.uniform(60, 160, (max(2, height // 40), max(2, width // 40), 3))
    base = np.asarray(
        Image.fromarray(coarse.astype(np.uint8)).resize((width, height), Image.Resampling.BICUBIC),
        dtype=np.float32,
    )
    return base + rng.normal(0, 6, (height, width, 1))


def _strip(draw_width: int, height: int, text: str) -> Image.Image:
    from PIL import ImageDraw

    bar = Image.new("RGB", (draw_width, height), (0, 0, 0))
    ImageDraw.Draw(bar).text((8, max(0, height // 2 - 6)), text, fill=(255, 255, 255))
    return bar


def camera_burst(
    seed: int,
    frames: int = 5,
    size: tuple[int, int] = (960, 720),
    animal_share: float = 0.2,
    strip_height: int = 24,
    still: bool = False,
    animal: bool = True,
    scene_seed: int | None = None,
) -> tuple[list[Image.Image], list[tuple[float, float, float, float]]]:
    """A burst of one camera: the same scene with sensor noise, the camera's data strips at
    top and bottom (clock digits change), and a patterned animal walking across (standing
    still with `still`). Returns the frames (JPEG-compressed, as cameras save them) and the
    animal's true relative [x, y, w, h] box in each. Without `animal`, an empty burst (the
    camera triggered by wind or heat) and no boxes; `scene_seed` fixes the scene, so several
    bursts come from one camera."""
    rng = np.random.default_rng(seed)
    width, height = size
    scene = _scene(np.random.default_rng(scene_seed) if scene_seed is not None else rng,
                   width, height)  # fmt: skip
    side = int(min(width, height) * animal_share * 2)
    pattern = np.asarray(pattern_image(seed % 50, 0, size=side), dtype=np.float32)
    y = int(rng.integers(strip_height + 10, height - strip_height - side - 10))
    travel = max(0, width - side)  # the walk stays inside the frame
    step = 0 if still or frames < 2 else int(rng.uniform(0.5, 1.0) * travel / (frames - 1))
    x0 = int(rng.integers(0, max(1, travel - step * (frames - 1) + 1)))
    out, boxes = [], []
    for k in range(frames):
        x = min(x0 + k * step, width - side)
        frame = scene + rng.normal(0, 3, scene.shape)
        if animal:
            frame[y : y + side, x : x + side] = pattern
            boxes.append((x / width, y / height, side / width, side / height))
        image = Image.fromarray(np.clip(frame, 0, 255).astype(np.uint8))
        image.paste(_strip(width, strip_height, "RECONYX  HYPERFIRE"), (0, 0))
        image.paste(
            _strip(width, strip_height, f"M 1/5  21C  06:30:{10 + k:02d}"),
            (0, height - strip_height),
        )
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=90)
        out.append(Image.open(io.BytesIO(buffer.getvalue())).convert("RGB"))
    return out, boxes
