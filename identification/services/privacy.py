"""People in camera-trap frames: blurred in every image a non-admin member is served.

Camera traps photograph people (rangers, passers-by, poachers); who they are is not the
project's business. A person detected at or above the project's threshold is blurred, with a
margin, in the full image and the thumbnail for everyone but project admins, who may need the
original (law enforcement). Blurred copies are made on first request and kept in storage
next to the originals, named after the boxes they blur, so a changed detection makes a new one.
"""

from __future__ import annotations

import hashlib
import io

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageFilter, ImageOps

from ..models import DetectedObject, Media

MARGIN = 0.15  # of the box's size, on every side: detectors box people tightly


def _boxes_key(persons: list[DetectedObject]) -> str:
    text = ";".join(f"{p.bbox_x:.4f},{p.bbox_y:.4f},{p.bbox_width:.4f},{p.bbox_height:.4f}"
                    for p in persons)  # fmt: skip
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def blur_people(image: Image.Image, persons: list[DetectedObject]) -> Image.Image:
    """A copy of the (oriented) image with each person's box, plus margin, blurred beyond
    recognition (downsampled, then blurred: a face of a few pixels says nothing)."""
    out = image.convert("RGB")
    width, height = out.size
    for p in persons:
        mx, my = p.bbox_width * MARGIN, p.bbox_height * MARGIN
        left = max(0, int((p.bbox_x - mx) * width))
        top = max(0, int((p.bbox_y - my) * height))
        right = min(width, int((p.bbox_x + p.bbox_width + mx) * width) + 1)
        bottom = min(height, int((p.bbox_y + p.bbox_height + my) * height) + 1)
        if right <= left or bottom <= top:
            continue
        region = out.crop((left, top, right, bottom))
        small = region.resize((max(1, region.width // 24), max(1, region.height // 24)))
        region = small.resize(region.size, Image.Resampling.BILINEAR)
        region = region.filter(ImageFilter.GaussianBlur(max(4, region.width // 20)))
        out.paste(region, (left, top))
    return out


def blurred_copy(media: Media, field: str, persons: list[DetectedObject]) -> str:
    """The storage name of `field` ("file" or "thumbnail") of the media with its people
    blurred, made once."""
    name = (
        f"projects/{media.project_id}/blurred/{media.sha256[:2]}/"
        f"{media.sha256}-{field}-{_boxes_key(persons)}.jpg"
    )
    if default_storage.exists(name):
        return name
    stored = getattr(media, field) or media.file
    with stored.open("rb") as handle:
        image = ImageOps.exif_transpose(Image.open(handle))
        blurred = blur_people(image, persons)
    out = io.BytesIO()
    blurred.save(out, "JPEG", quality=88)
    return default_storage.save(name, ContentFile(out.getvalue()))
