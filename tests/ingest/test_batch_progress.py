import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from identification.models import Batch, BatchItem, Sighting
from tests.images import jpeg_bytes

pytestmark = pytest.mark.django_db


def test_htmx_poll_gets_the_progress_fragment_not_the_page(client_of, ranger, project):
    batch = Batch.objects.create(
        project=project, status=Batch.Status.PROCESSING, started_at=timezone.now()
    )
    BatchItem.objects.bulk_create(
        [BatchItem(batch=batch, seq=i, original_name=f"{i}.jpg") for i in range(1, 5)]
    )
    BatchItem.objects.filter(seq__lte=1).update(status=BatchItem.Status.ACCEPTED)
    url = reverse("batch_detail", args=[project.slug, batch.pk])

    fragment = client_of(ranger).get(url, headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    assert "1 / 4 files" in fragment.text
    assert 'hx-trigger="every 2s"' in fragment.text, "keeps polling while processing"

    page = client_of(ranger).get(url)
    assert "<html" in page.text and 'id="batch-progress"' in page.text
    assert 'http-equiv="refresh"' in page.text, "without JavaScript the page reloads itself"


def test_the_time_left_is_estimated_from_the_rate_so_far(client_of, ranger, project):
    started = timezone.now() - timezone.timedelta(seconds=100)
    batch = Batch.objects.create(
        project=project, status=Batch.Status.PROCESSING, started_at=started
    )
    BatchItem.objects.bulk_create(
        [BatchItem(batch=batch, seq=i, original_name=f"{i}.jpg") for i in range(1, 11)]
    )
    BatchItem.objects.filter(seq__lte=5).update(status=BatchItem.Status.ACCEPTED)
    url = reverse("batch_detail", args=[project.slug, batch.pk])
    fragment = client_of(ranger).get(url, headers={"HX-Request": "true"})
    # 5 files in 100 s: the other 5 need about 100 s more.
    assert "about 2 min left" in fragment.text


def test_polling_stops_when_the_batch_is_done(upload, client_of, ranger, project):
    upload({"a.jpg": jpeg_bytes(seed=1), "b.txt": b"nope"})
    batch = Batch.objects.get()
    url = reverse("batch_detail", args=[project.slug, batch.pk])
    fragment = client_of(ranger).get(url, headers={"HX-Request": "true"})
    assert "hx-trigger" not in fragment.text
    assert "2 / 2 files" in fragment.text
    assert "not an image: 1" in fragment.text  # said in words, not as the stored code
    report = client_of(ranger).get(url)
    assert "b.txt" in report.text and "Not an image" in report.text
    assert 'http-equiv="refresh"' not in report.text


def test_the_report_filters_by_status(upload, client_of, ranger, project):
    image = jpeg_bytes(seed=1, taken_at=dt.datetime(2024, 1, 1, 12, 0))  # a time: no flag
    upload({"a.jpg": image, "b.txt": b"nope", "c.jpg": image})
    url = reverse("batch_detail", args=[project.slug, Batch.objects.get().pk])
    client = client_of(ranger)
    problems = client.get(url).text
    assert "b.txt" in problems and "c.jpg" in problems and ">a.jpg<" not in problems
    accepted = client.get(url, {"status": "accepted"}).text
    assert ">a.jpg<" in accepted and "b.txt" not in accepted
    duplicates = client.get(url, {"status": "duplicate"}).text
    assert "c.jpg" in duplicates and "b.txt" not in duplicates
    assert ">a.jpg<" in client.get(url, {"status": "all"}).text


@pytest.mark.parametrize(
    ("kind", "pipeline_status", "polls"),
    [
        (Batch.Kind.IMPORT, "extracted", False),  # gallery images are never matched
        (Batch.Kind.IMPORT, "queued", True),
        (Batch.Kind.FILES, "extracted", True),  # uploads wait for their candidates
        (Batch.Kind.FILES, "matched", False),
    ],
)
def test_polling_follows_the_pipeline_until_the_batch_is_matched_or_in_the_gallery(
    settings, client_of, ranger, project, make_sighting, individuals, kind, pipeline_status, polls
):
    settings.REIDSITE_ENABLE_REID = True
    batch = Batch.objects.create(
        project=project, kind=kind, status=Batch.Status.DONE, finished_at=timezone.now()
    )
    sighting = make_sighting(1, 0, individuals[0] if kind == Batch.Kind.IMPORT else None, batch)
    Sighting.objects.filter(pk=sighting.pk).update(pipeline_status=pipeline_status)
    url = reverse("batch_detail", args=[project.slug, batch.pk])
    fragment = client_of(ranger).get(url, headers={"HX-Request": "true"})
    assert ('hx-trigger="every 2s"' in fragment.text) is polls
    done = "1 / 1" if not polls else "0 / 1"
    word = "in the gallery" if kind == Batch.Kind.IMPORT else "matched"
    assert f"Re-identification: {done} {word}" in fragment.text
