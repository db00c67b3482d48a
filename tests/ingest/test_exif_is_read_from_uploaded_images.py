import datetime as dt

import pytest

from identification.models import Media
from tests.images import jpeg_bytes

pytestmark = pytest.mark.django_db


def test_capture_time_gps_and_camera_come_from_exif(upload, project):
    upload(
        {"gps.jpg": jpeg_bytes(taken_at=dt.datetime(2023, 7, 1, 6, 5, 4), lat=-27.75, lon=32.125)}
    )
    media = Media.objects.get()
    assert media.taken_at == dt.datetime(2023, 7, 1, 6, 5, 4, tzinfo=dt.UTC)
    assert media.latitude == pytest.approx(-27.75, abs=1e-4)
    assert media.longitude == pytest.approx(32.125, abs=1e-4)
    assert media.camera_make == "RECONYX" and media.camera_model == "HC600 HYPERFIRE"
    assert media.exif["DateTimeOriginal"] == "2023:07:01 06:05:04"
    assert "GPSInfo" in media.exif


def test_times_without_offset_are_read_in_the_project_time_zone(upload, project):
    project.time_zone = "Africa/Johannesburg"
    project.save()
    upload({"local.jpg": jpeg_bytes(taken_at=dt.datetime(2023, 7, 1, 6, 0, 0))})
    assert Media.objects.get().taken_at == dt.datetime(2023, 7, 1, 4, 0, tzinfo=dt.UTC)


def test_an_exif_offset_wins_over_the_project_time_zone(upload, project):
    upload({"offset.jpg": jpeg_bytes(taken_at=dt.datetime(2023, 7, 1, 6, 0), offset="-03:00")})
    assert Media.objects.get().taken_at == dt.datetime(2023, 7, 1, 9, 0, tzinfo=dt.UTC)


def test_an_unset_camera_clock_counts_as_no_time(upload, project):
    upload({"1970.jpg": jpeg_bytes(taken_at=dt.datetime(1970, 1, 1, 0, 0))})
    media = Media.objects.get()
    assert media.taken_at is None and media.timestamp_missing
