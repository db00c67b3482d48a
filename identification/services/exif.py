"""Read capture time, GPS and camera from an image's EXIF, and keep the raw tags as JSON."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, SupportsFloat, cast
from zoneinfo import ZoneInfo

from PIL import ExifTags, Image

_EXIF_IFD = 0x8769
_GPS_IFD = 0x8825
_TAG_MAKE = 271
_TAG_MODEL = 272
_TAG_DATETIME = 306
_TAG_DATETIME_ORIGINAL = 36867
_TAG_OFFSET_TIME_ORIGINAL = 36881
# Large binary blobs that say nothing to a user and bloat the database.
_SKIPPED_TAGS = {0x927C, 0x9286, 0xC4A5, 0x02BC, 0x8773, 0x83BB}


@dataclass
class ExifInfo:
    taken_at: dt.datetime | None = None
    latitude: float | None = None
    longitude: float | None = None
    make: str = ""
    model: str = ""
    raw: dict[str, Any] = field(default_factory=dict)
    # The capture time as written (DateTimeOriginal and its offset), shown when unusable.
    time_text: str = ""


def read_exif(image: Image.Image, default_tz: str = "UTC") -> ExifInfo:
    """EXIF facts of an opened image. Missing or malformed tags give empty values, never errors."""
    try:
        exif = image.getexif()
    except Exception:  # noqa: BLE001 - a corrupt EXIF block must not lose the image
        return ExifInfo()
    try:
        exif_ifd = dict(exif.get_ifd(_EXIF_IFD))
    except Exception:  # noqa: BLE001
        exif_ifd = {}
    try:
        gps_ifd = dict(exif.get_ifd(_GPS_IFD))
    except Exception:  # noqa: BLE001
        gps_ifd = {}
    info = ExifInfo(
        make=_clean_text(exif.get(_TAG_MAKE)),
        model=_clean_text(exif.get(_TAG_MODEL)),
        raw=_raw_json(dict(exif), exif_ifd, gps_ifd),
    )
    when = exif_ifd.get(_TAG_DATETIME_ORIGINAL) or exif.get(_TAG_DATETIME)
    offset = exif_ifd.get(_TAG_OFFSET_TIME_ORIGINAL)
    info.time_text = " ".join(t for t in (_clean_text(when), _clean_text(offset)) if t)[:100]
    info.taken_at = parse_exif_datetime(when, offset, default_tz=default_tz)
    info.latitude, info.longitude = _gps_position(gps_ifd)
    return info


def parse_exif_datetime(
    value: object, offset: object = None, default_tz: str = "UTC"
) -> dt.datetime | None:
    """'2019:03:14 09:26:53' (+ optional '+02:00') as an aware datetime, or None.

    Any representable date is returned: whether it is plausible (an unset clock's 1970, a
    year 9999) is the project's capture window's call (services.capture_times).
    """
    text = _clean_text(value)
    if not text:
        return None
    for fmt in ("%Y:%m:%d %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y:%m:%d %H:%M"):
        try:
            naive = dt.datetime.strptime(text[:19], fmt)
            break
        except ValueError:
            continue
    else:
        return None
    offset_text = _clean_text(offset)
    if offset_text:
        try:
            sign = -1 if offset_text.startswith("-") else 1
            hours, minutes = offset_text.lstrip("+-").split(":")[:2]
            delta = dt.timedelta(hours=int(hours), minutes=int(minutes)) * sign
            return naive.replace(tzinfo=dt.timezone(delta))
        except ValueError:
            pass
    return naive.replace(tzinfo=ZoneInfo(default_tz))


def _gps_position(gps: dict[int, Any]) -> tuple[float | None, float | None]:
    try:
        lat = _dms_to_degrees(gps[2], gps.get(1, "N"))
        lon = _dms_to_degrees(gps[4], gps.get(3, "E"))
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None, None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
        return None, None
    return round(lat, 7), round(lon, 7)


def _dms_to_degrees(dms: Iterable[SupportsFloat], ref: object) -> float:
    degrees, minutes, seconds = (float(Fraction(str(float(x)))) for x in dms)
    value = degrees + minutes / 60 + seconds / 3600
    return -value if _clean_text(ref).upper() in {"S", "W"} else value


def _clean_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return str(value).replace("\x00", "").strip()


def _raw_json(
    ifd0: dict[int, Any], exif_ifd: dict[int, Any], gps_ifd: dict[int, Any]
) -> dict[str, Any]:
    raw: dict[str, Any] = {}
    for tags, names in ((ifd0, ExifTags.TAGS), (exif_ifd, ExifTags.TAGS)):
        for tag, value in tags.items():
            if tag in _SKIPPED_TAGS or tag in (_EXIF_IFD, _GPS_IFD):
                continue
            raw[names.get(tag, f"0x{tag:04X}")] = _json_value(value)
    if gps_ifd:
        raw["GPSInfo"] = {
            ExifTags.GPSTAGS.get(tag, f"0x{tag:04X}"): _json_value(value)
            for tag, value in gps_ifd.items()
        }
    return raw


def _json_value(value: object, depth: int = 0) -> str | int | float | list[Any] | None:
    if isinstance(value, bytes):
        text = value.decode("ascii", "replace").strip("\x00 ")
        return text[:200] if text.isprintable() else f"<{len(value)} bytes>"
    if isinstance(value, str):
        return value.replace("\x00", "").strip()[:500]
    if isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else None
    if isinstance(value, tuple | list) and depth < 2:
        return [_json_value(v, depth + 1) for v in value[:64]]
    try:
        number = float(cast(SupportsFloat, value))  # IFDRational and friends; else TypeError
        return number if number == number and abs(number) != float("inf") else None
    except (TypeError, ValueError, ZeroDivisionError):
        return str(value)[:200]
