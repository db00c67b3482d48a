"""Images the tests write themselves: JPEGs with chosen EXIF, patterned "individuals"."""

from __future__ import annotations

import datetime as dt
import io
from fractions import Fraction

import numpy as np
import piexif
from PIL import Image


def _rational(value: float, denominator: int = 10000) -> tuple[int, int]:
    frac = Fraction(value).limit_denominator(denominator)
    return frac.numerator, frac.denominator


def _dms(value: float) -> tuple[tuple[int, int], ...]:
    value = abs(value)
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = (value - degrees - minutes / 60) * 3600
    return ((degrees, 1), (minutes, 1), _rational(seconds, 1000))


def exif_bytes(
    taken_at: dt.datetime | None = None,
    lat: float | None = None,
    lon: float | None = None,
    make: str = "RECONYX",
    model: str = "HC600 HYPERFIRE",
    offset: str | None = None,
) -> bytes:
    zeroth = {piexif.ImageIFD.Make: make.encode(), piexif.ImageIFD.Model: model.encode()}
    exif: dict = {}
    if taken_at is not None:
        exif[piexif.ExifIFD.DateTimeOriginal] = taken_at.strftime("%Y:%m:%d %H:%M:%S").encode()
        if offset:
            exif[piexif.ExifIFD.OffsetTimeOriginal] = offset.encode()
    gps: dict = {}
    if lat is not None and lon is not None:
        gps = {
            piexif.GPSIFD.GPSLatitudeRef: b"N" if lat >= 0 else b"S",
            piexif.GPSIFD.GPSLatitude: _dms(lat),
            piexif.GPSIFD.GPSLongitudeRef: b"E" if lon >= 0 else b"W",
            piexif.GPSIFD.GPSLongitude: _dms(lon),
        }
    return piexif.dump({"0th": zeroth, "Exif": exif, "GPS": gps})


def jpeg_bytes(
    width: int = 320,
    height: int = 240,
    seed: int = 0,
    taken_at: dt.datetime | None = None,
    lat: float | None = None,
    lon: float | None = None,
    offset: str | None = None,
    exif: bool = True,
    quality: int = 85,
) -> bytes:
    """A JPEG whose pixels depend on `seed`, so different seeds give different sha256s."""
    rng = np.random.default_rng(seed)
    base = rng.integers(0, 255, size=(8, 8, 3), dtype=np.uint8)
    image = Image.fromarray(base).resize((width, height), Image.Resampling.BILINEAR)
    out = io.BytesIO()
    kwargs = {"quality": quality}
    if exif:
        kwargs["exif"] = exif_bytes(taken_at, lat, lon, offset=offset)
    image.save(out, "JPEG", **kwargs)
    return out.getvalue()


def png_bytes(width: int = 64, height: int = 48, seed: int = 0) -> bytes:
    rng = np.random.default_rng(seed)
    out = io.BytesIO()
    Image.fromarray(rng.integers(0, 255, (height, width, 3), dtype=np.uint8)).save(out, "PNG")
    return out.getvalue()


def pattern_image(individual: int, view: int, size: int = 256) -> Image.Image:
    """A synthetic "individual": a fixed random stripe/spot coat, seen with a per-view shift,
    rotation and brightness, so the same individual is recognisable across views."""
    rng = np.random.default_rng(1000 + individual)
    canvas = np.full((size * 2, size * 2), 128, dtype=np.float32)
    yy, xx = np.mgrid[0 : size * 2, 0 : size * 2]
    for _ in range(14):
        cx, cy = rng.uniform(0, size * 2, 2)
        r = rng.uniform(6, 22)
        canvas[(xx - cx) ** 2 + (yy - cy) ** 2 < r * r] = rng.choice([20, 235])
    for _ in range(5):
        angle = rng.uniform(0, np.pi)
        offset = rng.uniform(0, size * 2)
        band = np.abs(np.cos(angle) * xx + np.sin(angle) * yy - offset) < rng.uniform(3, 9)
        canvas[band] = 30
    view_rng = np.random.default_rng(individual * 100 + view)
    image = Image.fromarray(canvas.astype(np.uint8)).convert("RGB")
    image = image.rotate(view_rng.uniform(-12, 12), resample=Image.Resampling.BILINEAR)
    dx, dy = view_rng.integers(size // 3, size // 3 * 2, 2)
    image = image.crop((dx, dy, dx + size, dy + size))
    gain = view_rng.uniform(0.8, 1.2)
    return image.point(lambda v: max(0, min(255, int(v * gain))))
