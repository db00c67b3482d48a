"""Uploads processed by a real Celery worker through Redis, including a worker killed mid-way."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from identification.models import Batch, BatchItem, Media, Sighting
from tests.images import jpeg_bytes

from .conftest import wait_for

pytestmark = [pytest.mark.services, pytest.mark.slow]


def _post(client, project, files: dict[str, bytes]):
    data = {"files": [SimpleUploadedFile(n, b) for n, b in files.items()]}
    return client.post(reverse("batch_create", args=[project.slug]), data)


def test_uploaded_batch_is_processed_by_a_worker_through_the_broker(
    start_worker, client_of, ranger, project
):
    worker = start_worker("cpu")
    files = {f"IMG_{i}.JPG": jpeg_bytes(seed=i) for i in range(6)}
    files["broken.jpg"] = b"\xff\xd8\xff\xe0 truncated"
    response = _post(client_of(ranger), project, files)
    assert response.status_code == 302
    batch = Batch.objects.get(project=project)

    def done() -> bool:
        batch.refresh_from_db()
        return batch.status == Batch.Status.DONE

    wait_for(done, 120, "the worker to finish the batch", worker)
    assert batch.counts()["accepted"] == 6
    assert batch.items.get(original_name="broken.jpg").status == BatchItem.Status.SKIPPED
    assert Sighting.objects.filter(project=project).count() == 6
    progress = client_of(ranger).get(batch.get_absolute_url(), headers={"HX-Request": "true"})
    assert "7 / 7 files" in progress.text


def test_a_batch_survives_a_worker_killed_mid_way(start_worker, client_of, ranger, project):
    # Large enough images that the first worker is still busy when it is killed.
    files = {f"IMG_{i:03d}.JPG": jpeg_bytes(1600, 1200, seed=i) for i in range(120)}
    response = _post(client_of(ranger), project, files)
    assert response.status_code == 302
    batch = Batch.objects.get(project=project)
    # A short visibility timeout, so Redis hands the dead worker's task to the next one soon.
    first = start_worker("cpu", CELERY_VISIBILITY_TIMEOUT="5")

    def some_but_not_all() -> bool:
        done = batch.items.exclude(status=BatchItem.Status.PENDING).count()
        return 0 < done < 100

    wait_for(some_but_not_all, 120, "the first worker to be part-way through", first)
    first.kill()
    stored_before = Media.objects.count()
    assert stored_before < 120

    second = start_worker("cpu", CELERY_VISIBILITY_TIMEOUT="5")

    def done() -> bool:
        batch.refresh_from_db()
        return batch.status == Batch.Status.DONE

    wait_for(done, 240, "the second worker to finish the re-delivered work", second)
    counts = batch.counts()
    assert counts["accepted"] == 120, counts
    assert counts["duplicate"] == 0 and counts["skipped"] == 0
    assert Media.objects.filter(project=project).count() == 120
    assert Sighting.objects.filter(project=project).count() == 120
