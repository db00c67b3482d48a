"""Catalogue imports too big to run inside a web request, on the `cpu` queue."""

from __future__ import annotations

import logging
import shutil
import tempfile

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.utils import timezone

from identification.models import Batch
from identification.services.imports.catalogue import CatalogueInvalid, import_catalogue
from worker.tasks.options import TimeLimits

log = logging.getLogger(__name__)

# A catalogue of thousands of images is read twice (checked, then stored) in one task.
LIMITS: TimeLimits = {"soft_time_limit": 2 * 3600, "time_limit": 2 * 3600 + 300}
MAX_LISTED = 200  # problems kept in the batch's message


@shared_task(**LIMITS)
def import_catalogue_batch(batch_id: int, split: str | None = None) -> None:
    """Import the batch's uploaded zip; all or nothing, so a re-delivered task just re-runs."""
    batch = (
        Batch.objects.select_related("project", "created_by", "deployment")
        .filter(pk=batch_id, kind=Batch.Kind.IMPORT)
        .first()
    )
    if batch is None or batch.is_finished:
        return
    Batch.objects.filter(pk=batch.pk).update(
        status=Batch.Status.PROCESSING, started_at=timezone.now()
    )
    message = ""
    try:
        # A local seekable copy: the storage may be S3, and zipfile seeks a lot.
        with tempfile.TemporaryFile() as local, batch.archive.open("rb") as stored:
            shutil.copyfileobj(stored, local, 1024 * 1024)
            local.seek(0)
            import_catalogue(
                batch.project, local, user=batch.created_by, split=split,
                deployment=batch.deployment, batch=batch, original_name=batch.archive_name,
            )  # fmt: skip
    except CatalogueInvalid as exc:
        listed = exc.problems[:MAX_LISTED]
        more = len(exc.problems) - len(listed)
        message = "\n".join(listed + ([f"… and {more} more."] if more else []))
    except SoftTimeLimitExceeded:
        message = "The import took too long and was stopped; nothing was imported."
    except Exception as exc:  # noqa: BLE001 - recorded on the batch for the uploader to see
        log.exception("catalogue import batch %s", batch.pk)
        name = exc.__class__.__name__
        message = f"The import stopped on an error ({name}); nothing was imported."
    if message:
        Batch.objects.filter(pk=batch.pk).update(
            status=Batch.Status.FAILED, finished_at=timezone.now(), message=message
        )
    _drop_archive(batch)


def _drop_archive(batch: Batch) -> None:
    """The catalogue is in the project now (or was refused): its zip is not needed."""
    try:
        batch.archive.delete(save=False)
    except OSError:
        log.warning("could not delete the archive of import batch %s", batch.pk)
    Batch.objects.filter(pk=batch.pk).update(archive="")
