"""Synthetic individuals for the pipeline tests: a dense random coat of spots and stripes per
individual, seen in each view through a different crop, rotation and brightness.

Denser than `tests.images.pattern_image` (which the app's demo shares): keypoint matchers need
texture, and a real animal's coat has far more than a dozen blobs.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw


def coat(individual: int, size: int = 384) -> Image.Image:
    rng = np.random.default_rng(7000 + individual)
    image = Image.new("L", (size, size), int(rng.integers(100, 160)))
    draw = ImageDraw.Draw(image)
    for _ in range(12):  # stripes
        x0, y0 = rng.uniform(0, size, 2)
        angle = rng.uniform(0, np.pi)
        length = rng.uniform(0.3, 0.9) * size
        x1, y1 = x0 + length * np.cos(angle), y0 + length * np.sin(angle)
        draw.line((x0, y0, x1, y1), fill=int(rng.integers(0, 60)), width=int(rng.integers(3, 9)))
    for _ in range(160):  # spots of varied size and tone
        cx, cy = rng.uniform(0, size, 2)
        rx, ry = rng.uniform(2, 12, 2)
        tone = int(rng.choice([rng.integers(0, 70), rng.integers(190, 256)]))
        draw.ellipse((cx - rx, cy - ry, cx + rx, cy + ry), fill=tone)
    return image


def view(individual: int, view_index: int, size: int = 192) -> Image.Image:
    """A crop of the coat (about 2/3 of it), rotated up to 10 degrees, brightness ±15 %."""
    rng = np.random.default_rng(individual * 1000 + view_index)
    full = coat(individual).rotate(rng.uniform(-10, 10), resample=Image.Resampling.BILINEAR)
    side = full.width * 2 // 3
    x0, y0 = rng.integers(full.width // 12, full.width - side - full.width // 12, 2)
    crop = full.crop((int(x0), int(y0), int(x0) + side, int(y0) + side)).resize((size, size))
    gain = rng.uniform(0.85, 1.15)
    return crop.point(lambda v: max(0, min(255, int(v * gain)))).convert("RGB")
