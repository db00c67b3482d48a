"""The sweeper may re-queue a chunk that a slow worker is in fact still processing: the two
copies then run at the same time. Each image must still become one Media and one Sighting,
every item accepted, and no second copy of a file left in storage."""

import threading

import pytest
from django.core.files.storage import default_storage
from django.db import connection

from identification.models import Batch, BatchItem, Media, Sighting
from identification.services import batches as batch_service

from .conftest import stage

pytestmark = pytest.mark.django_db(transaction=True)


def _stored_files(prefix: str) -> list[str]:
    found = []
    directories = [prefix]
    while directories:
        current = directories.pop()
        subdirs, files = default_storage.listdir(current)
        directories += [f"{current}/{d}" for d in subdirs]
        found += [f"{current}/{f}" for f in files]
    return found


def test_two_copies_of_a_chunk_at_once_store_each_image_once(project, ranger):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (make test)")
    batch = stage(project, ranger, 12)
    batch_service.start_processing(batch)
    ids = list(batch.items.values_list("pk", flat=True))
    barrier, errors = threading.Barrier(2), []

    def copy() -> None:
        try:
            barrier.wait()
            mine = Batch.objects.select_related("project").get(pk=batch.pk)
            batch_service.process_items(mine, ids)
            batch_service.finish_if_done(batch.pk)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=copy) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert errors == []
    batch.refresh_from_db()
    assert batch.status == Batch.Status.DONE
    statuses = list(batch.items.values_list("status", "reason", "message"))
    assert [s for s, _, _ in statuses] == [BatchItem.Status.ACCEPTED] * 12, [
        s for s in statuses if s[0] != BatchItem.Status.ACCEPTED
    ]
    assert Media.objects.filter(project=project).count() == 12
    assert Sighting.objects.filter(project=project).count() == 12
    media = Media.objects.filter(project=project)
    assert sorted(_stored_files(f"projects/{project.pk}/media")) == sorted(
        m.file.name for m in media
    )
    assert sorted(_stored_files(f"projects/{project.pk}/thumbs")) == sorted(
        m.thumbnail.name for m in media
    )
