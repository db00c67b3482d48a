"""acks_late re-delivers a task whose worker died; running it again must change nothing."""

import hashlib
import os
import time

import pytest

from identification.models import Batch, BatchItem, Media, Sighting
from identification.services import batches as batch_service
from identification.services.ingest import store_image
from tests.images import jpeg_bytes
from worker.tasks import ingest as ingest_tasks

pytestmark = pytest.mark.django_db


def _staged_batch(project, ranger, n=3):
    from django.core.files.uploadedfile import SimpleUploadedFile

    files = [SimpleUploadedFile(f"{i}.jpg", jpeg_bytes(seed=i)) for i in range(n)]
    return batch_service.create_batches(project, None, ranger, files)[0]


def test_running_a_chunk_twice_stores_each_image_once(project, ranger):
    batch = _staged_batch(project, ranger)
    batch_service.start_processing(batch)
    ids = list(batch.items.values_list("pk", flat=True))
    ingest_tasks.process_items(batch.pk, ids)
    ingest_tasks.process_items(batch.pk, ids)
    assert Media.objects.count() == 3 and Sighting.objects.count() == 3
    assert batch.counts()["accepted"] == 3


def test_an_image_stored_before_the_crash_is_recorded_as_accepted_on_rerun(project, ranger):
    batch = _staged_batch(project, ranger, n=2)
    batch_service.start_processing(batch)
    first = batch.items.order_by("seq").first()
    # The worker died after storing the image but before recording the item.
    from django.core.files.storage import default_storage

    with default_storage.open(first.staged_name, "rb") as handle:
        store_image(project, handle, first.original_name, batch=batch)

    ingest_tasks.process_items(batch.pk, list(batch.items.values_list("pk", flat=True)))

    first.refresh_from_db()
    assert first.status == BatchItem.Status.ACCEPTED
    assert Media.objects.count() == 2 and Sighting.objects.count() == 2
    batch.refresh_from_db()
    assert batch.status == Batch.Status.DONE


def test_starting_a_batch_twice_does_not_duplicate_zip_items(project, ranger):
    import io
    import zipfile

    from django.core.files.uploadedfile import SimpleUploadedFile

    card = io.BytesIO()
    with zipfile.ZipFile(card, "w") as archive:
        for i in range(3):
            archive.writestr(f"IMG_{i}.JPG", jpeg_bytes(seed=i))
    batch = batch_service.create_batches(
        project, None, ranger, [SimpleUploadedFile("card.zip", card.getvalue())]
    )[0]
    batch_service.expand_archive(batch)
    Batch.objects.filter(pk=batch.pk).update(status=Batch.Status.EXPANDING)
    batch.refresh_from_db()
    batch_service.expand_archive(batch)
    assert batch.items.count() == 3


def test_starting_a_files_batch_twice_stores_each_image_once(project, ranger):
    batch = _staged_batch(project, ranger)
    ingest_tasks.start_batch(batch.pk)
    Batch.objects.filter(pk=batch.pk).update(status=Batch.Status.PROCESSING)  # not yet finished
    ingest_tasks.start_batch(batch.pk)
    assert Media.objects.count() == 3 and Sighting.objects.count() == 3
    assert sorted(batch.items.values_list("status", flat=True)) == ["accepted"] * 3


def test_a_batch_is_finished_once_even_if_every_chunk_tries(project, ranger, monkeypatch):
    from identification.services import reid_hooks

    calls = []
    monkeypatch.setattr(reid_hooks, "batch_ingested", calls.append)
    batch = _staged_batch(project, ranger)
    batch_service.start_processing(batch)
    ids = list(batch.items.values_list("pk", flat=True))
    for item_id in ids:
        ingest_tasks.process_items(batch.pk, [item_id])
    ingest_tasks.process_items(batch.pk, ids)
    assert calls == [batch.pk]


def test_the_same_image_under_two_names_in_one_batch_is_a_duplicate_even_on_rerun(project, ranger):
    from django.core.files.uploadedfile import SimpleUploadedFile

    image = jpeg_bytes(seed=42)
    files = [SimpleUploadedFile("a.jpg", image), SimpleUploadedFile("copy-of-a.jpg", image)]
    batch = batch_service.create_batches(project, None, ranger, files)[0]
    batch_service.start_processing(batch)
    ids = list(batch.items.order_by("seq").values_list("pk", flat=True))
    ingest_tasks.process_items(batch.pk, ids[1:])  # the copy first
    ingest_tasks.process_items(batch.pk, ids)
    copy, original = batch.items.get(seq=2), batch.items.get(seq=1)
    assert copy.status == BatchItem.Status.ACCEPTED
    assert original.status == BatchItem.Status.DUPLICATE and original.media == copy.media


def test_a_file_half_written_by_a_killed_worker_is_replaced_on_rerun(project, ranger):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from identification.models.media import media_upload_to

    batch = _staged_batch(project, ranger, n=1)
    batch_service.start_processing(batch)
    item = batch.items.get()
    with default_storage.open(item.staged_name, "rb") as handle:
        data = handle.read()
    # The first worker died while writing the content-addressed file.
    digest = hashlib.sha256(data).hexdigest()
    name = media_upload_to(Media(project=project, sha256=digest), item.original_name)
    default_storage.save(name, ContentFile(data[:100]))
    an_hour_ago = time.time() - 3600  # a killed worker's file; one written now may be live
    os.utime(default_storage.path(name), (an_hour_ago, an_hour_ago))

    ingest_tasks.process_items(batch.pk, [item.pk])

    media = Media.objects.get()
    assert media.file.name == name
    with media.file.open("rb") as handle:
        assert handle.read() == data
