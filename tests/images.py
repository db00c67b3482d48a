"""Images the tests write themselves: JPEGs with chosen EXIF, patterned "individuals"."""

from __future__ import annotations

import datetime as dt
import io
from fractions import Fraction
from typing import Any

import numpy as np
import piexif
from PIL import Image

from identification.services.synthetic import pattern_image

__all__ = ["exif_bytes", "jpeg_bytes", "pattern_image", "png_bytes"]


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
    kwargs: dict[str, Any] = {"quality": quality}
    if exif:
        kwargs["exif"] = exif_bytes(taken_at, lat, lon, offset=offset)
    image.save(out, "JPEG", **kwargs)
    return out.getvalue()


def png_bytes(width: int = 64, height: int = 48, seed: int = 0) -> bytes:
    rng = np.random.default_rng(seed)
    out = io.BytesIO()
    Image.fromarray(rng.integers(0, 255, (height, width, 3), dtype=np.uint8)).save(out, "PNG")
    return out.getvalue()
