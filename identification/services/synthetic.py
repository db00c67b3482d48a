"""Synthetic "individuals" for the demo and the tests: each has a fixed random coat of spots
and stripes, seen in each view with a different crop, rotation and brightness, the way a
camera trap sees the same animal pass again."""

from __future__ import annotations

import datetime as dt
import io

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
    kwargs: dict = {"quality": 88}
    if exif is not None:
        kwargs["exif"] = exif
    elif taken_at is not None:
        exif_data = Image.Exif()
        exif_data[0x010F] = "reidsite demo"  # Make
        exif_data.get_ifd(0x8769)[0x9003] = taken_at.strftime("%Y:%m:%d %H:%M:%S")
        kwargs["exif"] = exif_data.tobytes()
    frame.save(out, "JPEG", **kwargs)
    return out.getvalue()
