"""The plausible capture times are a project setting: an admin narrows them on the settings
page, uploads then keep times outside as no valid time, and a window that ends before it
starts is refused."""

import datetime as dt

import pytest
from django.urls import reverse

from identification.models import BatchItem, Media

pytestmark = pytest.mark.django_db


def _settings(project, **changes):
    data = {
        "name": project.name, "description": "", "species": project.species,
        "time_zone": project.time_zone, "event_gap_seconds": 60,
        "individual_code_prefix": "IND-", "new_individual_threshold": 0.5,
        "earliest_capture_date": "1990-01-01", "latest_capture_date": "",
        "detector": "auto", "detection_threshold": 0.2,
    }  # fmt: skip
    return {**data, **changes}


def test_an_admin_narrows_the_window_and_uploads_follow_it(client_of, admin_user, project, upload):
    from tests.images import jpeg_bytes

    url = reverse("project_settings", args=[project.slug])
    window = {"earliest_capture_date": "2020-01-01", "latest_capture_date": "2024-12-31"}
    assert client_of(admin_user).post(url, _settings(project, **window)).status_code == 302
    project.refresh_from_db()
    assert project.earliest_capture_date == dt.date(2020, 1, 1)

    upload(
        {
            "old.jpg": jpeg_bytes(seed=1, taken_at=dt.datetime(2019, 12, 31, 23, 0)),
            "ok.jpg": jpeg_bytes(seed=2, taken_at=dt.datetime(2024, 12, 31, 23, 0)),
            "late.jpg": jpeg_bytes(seed=3, taken_at=dt.datetime(2025, 1, 1, 0, 0)),
        }
    )
    ok = Media.objects.get(original_name="ok.jpg")
    assert ok.taken_at == dt.datetime(2024, 12, 31, 23, 0, tzinfo=dt.UTC)
    for name, raw in (("old.jpg", "2019:12:31 23:00:00"), ("late.jpg", "2025:01:01 00:00:00")):
        item = BatchItem.objects.get(original_name=name)
        assert item.media.taken_at is None and item.media.raw_time == raw
        assert item.message == (
            f"EXIF time {raw} is outside 2020-01-01 … 2024-12-31: kept without a time."
        )


def test_a_window_ending_before_it_starts_is_refused(client_of, admin_user, project):
    url = reverse("project_settings", args=[project.slug])
    window = {"earliest_capture_date": "2024-01-01", "latest_capture_date": "2020-01-01"}
    response = client_of(admin_user).post(url, _settings(project, **window))
    assert response.status_code == 200
    assert "The latest day is before the earliest." in response.text
    far = {"latest_capture_date": "9999-12-31"}
    response = client_of(admin_user).post(url, _settings(project, **far))
    assert "Choose a day between 1900-01-01 and 2199-12-31." in response.text
    project.refresh_from_db()
    assert project.earliest_capture_date == dt.date(1990, 1, 1)
    assert project.latest_capture_date is None
