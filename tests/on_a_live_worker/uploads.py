"""The upload the fault-injection tests process (N large JPEGs, through the real upload view)
and the batch states they wait for."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from identification.models import Batch, BatchItem
from tests.images import jpeg_bytes

from .conftest import wait_for

N = 120  # five chunks of 25, large enough images that a fault lands mid-chunk


def upload_large_batch(client, project) -> Batch:
    files = [
        SimpleUploadedFile(f"IMG_{i:03d}.JPG", jpeg_bytes(1600, 1200, seed=i)) for i in range(N)
    ]
    response = client.post(reverse("batch_create", args=[project.slug]), {"files": files})
    assert response.status_code == 302
    return Batch.objects.get(project=project)


def done_items(batch: Batch) -> int:
    return batch.items.exclude(status=BatchItem.Status.PENDING).count()


def wait_part_way(batch: Batch, worker, below: int, mid_chunk: bool = False) -> None:
    """Until some items, fewer than `below`, are recorded (with mid_chunk, not a whole number
    of chunks: the worker is inside one)."""

    def part_way() -> bool:
        done = done_items(batch)
        return 0 < done < below and (not mid_chunk or done % 25 != 0)

    wait_for(part_way, 120, f"the worker to have recorded 1-{below - 1} items", worker)


def wait_done(batch: Batch, worker, what: str) -> None:
    def finished() -> bool:
        batch.refresh_from_db()
        return batch.status == Batch.Status.DONE

    wait_for(finished, 240, what, worker)
