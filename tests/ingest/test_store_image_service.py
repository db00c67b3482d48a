"""store_image, the one way an image enters a project (also used by the catalogue import)."""

import datetime as dt
import io

import pytest

from identification.models import Deployment, Media, Sighting
from identification.models.sightings import Side
from identification.services.ingest import ImageRejected, store_image
from tests.images import jpeg_bytes

pytestmark = pytest.mark.django_db


def test_it_returns_the_new_media_with_its_whole_frame_sighting(project, deployment):
    data = jpeg_bytes(seed=1, taken_at=dt.datetime(2024, 1, 2, 3, 4, 5))
    media, created = store_image(project, io.BytesIO(data), "cat/IND-7.jpg", deployment=deployment)
    assert created and media.pk and media.original_name == "cat/IND-7.jpg"
    assert media.file_size == len(data) and media.mime_type == "image/jpeg"
    sighting = Sighting.objects.get(media=media)
    assert not sighting.has_bbox and sighting.side == Side.UNKNOWN
    with media.file.open("rb") as handle:
        assert handle.read() == data


def test_the_same_bytes_again_return_the_existing_media(project):
    data = jpeg_bytes(seed=2)
    first, _ = store_image(project, io.BytesIO(data), "a.jpg")
    again, created = store_image(project, io.BytesIO(data), "b.jpg")
    assert again == first and not created
    assert Media.objects.count() == 1 and Sighting.objects.count() == 1


def test_the_same_bytes_in_another_project_are_a_separate_media(project, other_project):
    data = jpeg_bytes(seed=3)
    mine, _ = store_image(project, io.BytesIO(data), "a.jpg")
    theirs, created = store_image(other_project, io.BytesIO(data), "a.jpg")
    assert created and theirs != mine


def test_bad_input_raises_image_rejected_with_a_reason(project):
    with pytest.raises(ImageRejected) as caught:
        store_image(project, io.BytesIO(b"%PDF-1.4 not an image"), "doc.jpg")
    assert caught.value.reason == "not_an_image" and caught.value.message
    assert not Media.objects.exists()


def test_a_naive_exif_time_is_read_in_the_given_time_zone(project):
    data = jpeg_bytes(seed=4, taken_at=dt.datetime(2024, 1, 2, 12, 0, 0))
    media, _ = store_image(project, io.BytesIO(data), "a.jpg", default_tz="Asia/Tokyo")
    assert media.taken_at == dt.datetime(2024, 1, 2, 3, 0, tzinfo=dt.UTC)


def test_a_deployment_of_another_project_is_refused(project, other_project):
    elsewhere = Deployment.objects.create(project=other_project, code="X")
    with pytest.raises(ValueError):
        store_image(project, io.BytesIO(jpeg_bytes(seed=5)), "a.jpg", deployment=elsewhere)


def test_the_thumbnail_is_a_small_jpeg_in_the_right_orientation(project):
    import piexif
    from PIL import Image

    from tests.images import exif_bytes

    # Orientation 6: stored 640x480 landscape, shown as 480x640 portrait.
    exif = piexif.load(exif_bytes())
    exif["0th"][piexif.ImageIFD.Orientation] = 6
    out = io.BytesIO()
    Image.open(io.BytesIO(jpeg_bytes(640, 480, seed=6))).save(out, "JPEG", exif=piexif.dump(exif))
    media, _ = store_image(project, io.BytesIO(out.getvalue()), "turned.jpg")
    assert (media.width, media.height) == (480, 640)
    with media.thumbnail.open("rb") as handle:
        thumb = Image.open(handle)
        assert thumb.format == "JPEG" and thumb.size == (360, 480)
