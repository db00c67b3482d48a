"""The media page: the image through its guarded URL, EXIF facts, deployment, event, sightings."""

import datetime as dt

import pytest
from django.urls import reverse

from identification.models import Media
from tests.images import jpeg_bytes

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2024, 5, 1, 22, 0, 0)


def test_media_page_shows_its_facts_and_links_the_other_images_of_the_burst(
    upload, client_of, expert, project, deployment
):
    files = {
        f"{i}.jpg": jpeg_bytes(seed=i, taken_at=T0 + dt.timedelta(seconds=i), lat=-27.5, lon=32.25)
        for i in range(3)
    }
    upload(files, deployment)
    media = Media.objects.get(original_name="1.jpg")
    response = client_of(expert).get(reverse("media_detail", args=[project.slug, media.pk]))
    text = response.text
    assert reverse("media_file", args=[project.slug, media.pk]) in text
    assert "2024-05-01 22:00:01" in text and "RECONYX" in text and "-27.5" in text
    assert "CAM-01" in text and "(3 images)" in text
    for other in Media.objects.exclude(pk=media.pk):
        assert reverse("media_detail", args=[project.slug, other.pk]) in text
        assert reverse("media_thumbnail", args=[project.slug, other.pk]) in text
    assert f"#{media.sightings.get().pk}" in text
    assert "/media/projects/" not in text, "files are never linked through a public MEDIA_URL"
