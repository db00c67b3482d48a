"""HEIC images (iPhones, some trail cameras) are accepted through pillow-heif: stored under
.heic as image/heic with their EXIF capture time, a JPEG thumbnail, and a sighting."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from PIL import Image

from identification.models import BatchItem, Media
from tests.images import exif_bytes

pytestmark = pytest.mark.django_db


def heic_bytes(taken_at: dt.datetime) -> bytes:
    """A small HEIC written by pillow-heif (registered with Pillow by the app)."""
    image = Image.linear_gradient("L").convert("RGB").resize((96, 64))
    out = io.BytesIO()
    image.save(out, format="HEIF", quality=60, exif=exif_bytes(taken_at))
    return out.getvalue()


def test_a_heic_upload_is_accepted_with_its_capture_time(upload, client_of, ranger, project):
    upload({"IMG_0001.HEIC": heic_bytes(dt.datetime(2024, 5, 1, 6, 0, 0))})
    item = BatchItem.objects.get()
    assert item.status == BatchItem.Status.ACCEPTED, item.message
    media = Media.objects.get()
    assert (media.mime_type, media.width, media.height) == ("image/heic", 96, 64)
    assert media.file.name.endswith(".heic") and media.thumbnail.name.endswith(".jpg")
    assert media.taken_at == dt.datetime(2024, 5, 1, 6, 0, tzinfo=dt.UTC)
    assert media.sightings.count() == 1
    thumb = client_of(ranger).get(reverse("media_thumbnail", args=[project.slug, media.pk]))
    assert Image.open(io.BytesIO(b"".join(thumb.streaming_content))).format == "JPEG"
