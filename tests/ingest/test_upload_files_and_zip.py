import datetime as dt
import re

import pytest
from django.core.files.storage import default_storage

from identification.models import Batch, BatchItem, Media, Sighting
from tests.images import jpeg_bytes

from .conftest import zip_bytes

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2024, 3, 14, 9, 26, 53)


def test_uploaded_images_become_media_with_one_sighting_each(upload, project, deployment):
    files = {f"IMG_{i:04d}.JPG": jpeg_bytes(seed=i, taken_at=T0) for i in range(3)}
    response = upload(files, deployment)

    batch = Batch.objects.get(project=project)
    assert response.status_code == 302 and response["Location"] == batch.get_absolute_url()
    batch.refresh_from_db()
    assert batch.status == Batch.Status.DONE
    assert batch.counts()["accepted"] == 3
    media = Media.objects.filter(project=project).order_by("original_name")
    assert [m.original_name for m in media] == sorted(files)
    for m in media:
        assert m.deployment == deployment
        assert m.width == 320 and m.height == 240
        assert len(m.sha256) == 64
        assert default_storage.exists(m.file.name) and default_storage.exists(m.thumbnail.name)
        assert m.sightings.get().status == Sighting.Status.PENDING
    # Staged copies are removed once the batch is done.
    assert not default_storage.exists(f"uploads/staging/{batch.pk}/000001")


def test_a_memory_card_zip_is_expanded_into_items(upload, project, deployment):
    members = {f"DCIM/100RECNX/IMG_{i:04d}.JPG": jpeg_bytes(seed=i, taken_at=T0) for i in range(4)}
    members["DCIM/100RECNX/.DS_Store"] = b"junk"
    members["__MACOSX/DCIM/._IMG_0001.JPG"] = b"junk"
    upload({"card.zip": zip_bytes(members)}, deployment)

    batch = Batch.objects.get(project=project)
    assert batch.kind == Batch.Kind.ZIP and batch.archive_name == "card.zip"
    assert batch.status == Batch.Status.DONE
    assert batch.items.count() == 4, "hidden files and macOS forks are not photos"
    assert batch.counts()["accepted"] == 4
    assert not batch.archive, "the archive is deleted once every image is stored"


def test_upload_needs_at_least_one_file(client_of, ranger, project):
    from django.urls import reverse

    response = client_of(ranger).post(reverse("batch_create", args=[project.slug]), {})
    assert response.status_code == 200
    assert not Batch.objects.exists()
    assert "required" in response.text


def test_items_of_a_batch_are_numbered_in_upload_order(upload, project):
    upload({"b.jpg": jpeg_bytes(seed=1), "a.jpg": jpeg_bytes(seed=2)})
    names = list(BatchItem.objects.order_by("seq").values_list("original_name", flat=True))
    assert names == ["b.jpg", "a.jpg"]


def test_an_upload_over_the_total_limit_is_refused_before_it_is_read(
    client_of, ranger, project, settings
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    settings.REIDSITE_MAX_UPLOAD_BYTES = 1000
    data = {"files": [SimpleUploadedFile("a.jpg", jpeg_bytes(seed=1, width=200, height=200))]}
    response = client_of(ranger).post(reverse("batch_create", args=[project.slug]), data)
    assert response.status_code == 413
    assert "limit" in response.text
    assert not Batch.objects.exists()


def test_the_batch_list_counts_each_batch_in_one_query(
    upload, client_of, ranger, project, django_assert_max_num_queries
):
    from django.urls import reverse

    for seed in range(3):
        upload({f"{seed}.jpg": jpeg_bytes(seed=seed), f"{seed}.txt": b"no"})
    client = client_of(ranger)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("batch_list", args=[project.slug]))
    rows = response.text.split("<tr>")[2:]
    assert len(rows) == 3
    # The line breaks between cells of the template do not render.
    assert all(re.search(r'<td class="num">2</td>\s*<td class="num">1</td>', row) for row in rows)
