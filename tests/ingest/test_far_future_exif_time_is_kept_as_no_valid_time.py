"""One JPEG claiming 9999-12-31 23:59:59 -12:00 (year 10000 in UTC, which PostgreSQL stores
and Python cannot read back) is kept without a time, and every page of the project still
answers; the next batch on that deployment is regrouped and queued as usual."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from identification.models import Batch, BatchItem, Media
from tests.images import jpeg_bytes

pytestmark = pytest.mark.django_db

FAR_FUTURE = dt.datetime(9999, 12, 31, 23, 59, 59)


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_image_is_kept_without_a_time_and_every_page_answers(
    upload, client_of, expert, project, deployment
):
    upload(
        {"DCIM/poison.jpg": jpeg_bytes(seed=1, taken_at=FAR_FUTURE, offset="-12:00")}, deployment
    )

    media = Media.objects.get()
    assert media.taken_at is None and media.timestamp_missing
    assert media.raw_time == "9999:12:31 23:59:59 -12:00"
    tomorrow = (timezone.now() + dt.timedelta(days=1)).date().isoformat()
    expected = (
        f"EXIF time 9999:12:31 23:59:59 -12:00 is outside 1990-01-01 … {tomorrow}: "
        "kept without a time."
    )
    item = BatchItem.objects.get()
    assert item.status == BatchItem.Status.ACCEPTED and item.flags == ["no_timestamp"]
    assert item.message == expected

    sighting = media.sightings.get()
    batch = Batch.objects.get()
    slug = project.slug
    client = client_of(expert)
    pages = [
        reverse("deployment_list", args=[slug]),
        reverse("review_queue", args=[slug]),
        reverse("review_queue", args=[slug]) + "?status=all",
        reverse("review_sighting", args=[slug, sighting.pk]),
        reverse("sighting_detail", args=[slug, sighting.pk]),
        reverse("media_detail", args=[slug, media.pk]),
        reverse("batch_detail", args=[slug, batch.pk]) + "?status=all",
        reverse("exports", args=[slug]),
        reverse("export_sightings", args=[slug]),
        reverse("export_camtrapdp", args=[slug]),
        reverse("export_capture_history", args=[slug])
        + "?start=2024-01-01&end=2024-01-31&days=7&format=secr",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        _body(response)  # the streamed downloads read their rows only now
    assert expected.encode() in client.get(pages[6]).content
    assert b"9999:12:31 23:59:59 -12:00" in client.get(pages[5]).content


def test_a_later_batch_on_that_deployment_is_grouped_and_its_staging_cleaned(
    upload, project, deployment, settings
):
    upload({"poison.jpg": jpeg_bytes(seed=1, taken_at=FAR_FUTURE, offset="-12:00")}, deployment)
    taken = dt.datetime(2024, 5, 1, 6, 0, 0)
    upload(
        {
            "a.jpg": jpeg_bytes(seed=2, taken_at=taken),
            "b.jpg": jpeg_bytes(seed=3, taken_at=taken + dt.timedelta(seconds=10)),
        },
        deployment,
    )
    later = Batch.objects.order_by("pk").last()
    assert later.status == Batch.Status.DONE
    assert later.media.exclude(event=None).values("event").distinct().count() == 1
    staging = settings.MEDIA_ROOT / "uploads" / "staging" / str(later.pk)
    assert not list(staging.glob("*")), "the staged copies were deleted"
