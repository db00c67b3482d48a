"""A batch's life: staged by the upload view, expanded (zips), processed in chunks, finished.

Every step can run twice (a worker killed mid-way re-delivers its task): items are created
with unique (batch, seq), processed only while pending, each in its own transaction with the
Media it produced, and the batch is finished by a conditional update that only one caller wins.
"""

from __future__ import annotations

import logging
import tempfile
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import IO

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import DatabaseError, transaction
from django.utils import timezone

from ..models import Batch, BatchItem, Deployment, Media, Project
from . import reid_hooks
from .events import regroup_events
from .ingest import (
    ARCHIVE_SUFFIXES,
    ImageRejected,
    shown_name,
    stage_upload,
    store_image,
    too_large_message,
)
from .queueing import send_on_commit

log = logging.getLogger(__name__)

CHUNK_SIZE = 25
NO_TIMESTAMP_MESSAGE = "No EXIF capture time: kept, but it belongs to no event."


def accept_upload(
    project: Project,
    deployment: Deployment | None,
    user: User,
    files: Iterable[File[bytes]],
    note: str = "",
) -> list[Batch]:
    """Stage an upload's files and queue its batches, all or nothing.

    The batches commit in one transaction and are queued after it. Staged files are written
    to storage before the commit, so when the transaction fails (the database went away
    half-way, say) they are deleted again and the error goes on to the caller: neither rows
    nor files of a half-stored upload are left behind.
    """
    written: list[str] = []
    committed: list[bool] = []
    try:
        with transaction.atomic():
            # Registered first, so it runs before the queueing callbacks: an error raised
            # by those comes after the commit, when the staged files belong to real batches.
            transaction.on_commit(lambda: committed.append(True))
            batches = create_batches(project, deployment, user, files, note, written=written)
            for batch in batches:
                queue_start(batch.pk)
    except BaseException:
        if not committed:
            _delete_files(written)
        raise
    return batches


def _delete_files(names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except Exception:  # noqa: BLE001 - the upload's own error is the one to report
            log.warning("could not delete %s after a failed upload", name)


def create_batches(
    project: Project,
    deployment: Deployment | None,
    user: User,
    files: Iterable[File[bytes]],
    note: str = "",
    *,
    written: list[str] | None = None,
) -> list[Batch]:
    """Stage uploaded files: loose images form one batch, each zip its own batch.

    The storage names written are appended to `written`, for a caller to delete them again
    if its transaction fails.
    """
    written = [] if written is None else written
    images: list[File[bytes]] = []
    archives: list[File[bytes]] = []
    for uploaded in files:
        (archives if (uploaded.name or "").lower().endswith(".zip") else images).append(uploaded)
    batches: list[Batch] = []
    common = {"project": project, "deployment": deployment, "created_by": user, "note": note}
    if images:
        batch = Batch.objects.create(kind=Batch.Kind.FILES, **common)
        items = []
        for seq, uploaded in enumerate(images, start=1):
            written.append(stage_upload(batch, seq, uploaded))
            items.append(
                BatchItem(
                    batch=batch,
                    seq=seq,
                    original_name=shown_name(uploaded.name or ""),
                    staged_name=written[-1],
                    size=uploaded.size or 0,
                )
            )
        BatchItem.objects.bulk_create(items)
        batches.append(batch)
    for uploaded in archives:
        batch = Batch.objects.create(
            kind=Batch.Kind.ZIP, archive_name=(uploaded.name or "")[:500], **common
        )
        batch.archive.save(f"{batch.pk}.zip", uploaded, save=False)
        assert batch.archive.name is not None  # save() named it
        written.append(batch.archive.name)
        batch.save(update_fields=["archive"])
        batches.append(batch)
    return batches


START_BATCH_TASK = "worker.tasks.ingest.start_batch"


def queue_start(batch_id: int) -> None:
    """Queue the batch's `start_batch` task, by name, once the surrounding transaction commits
    (the web process never imports the worker code: see `queueing`)."""
    send_on_commit(START_BATCH_TASK, batch_id)


def expand_archive(batch: Batch) -> None:
    """Create one item per zip member; unsafe or unusable members are skipped with a reason."""
    if batch.status not in (Batch.Status.QUEUED, Batch.Status.EXPANDING):
        return
    Batch.objects.filter(pk=batch.pk).update(
        status=Batch.Status.EXPANDING, started_at=timezone.now()
    )
    try:
        with batch.archive.open("rb") as handle, zipfile.ZipFile(handle) as archive:
            members = [m for m in archive.infolist() if not m.is_dir()]
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        Batch.objects.filter(pk=batch.pk).update(
            status=Batch.Status.FAILED,
            finished_at=timezone.now(),
            message=f"The zip file cannot be read ({exc}); no image was imported. "
            "Is it complete? Try uploading it again.",
        )
        return
    items = []
    seq = 0
    for member in members:
        name = member.filename
        problem = _unsafe_member(member)
        if not problem and _is_hidden(name):
            continue  # macOS resource forks, .DS_Store, .Trashes: not photos, not reported
        seq += 1
        item = BatchItem(
            # The whole member name: it is how the worker finds the entry again.
            batch=batch, seq=seq, original_name=shown_name(name), staged_name=name,
            size=member.file_size,
        )  # fmt: skip
        if problem:
            item.status, (item.reason, item.message) = BatchItem.Status.SKIPPED, problem
            item.staged_name = ""
            item.processed_at = timezone.now()
        items.append(item)
    # ignore_conflicts: a re-delivered task finds the items of its first run already there.
    BatchItem.objects.bulk_create(items, batch_size=1000, ignore_conflicts=True)
    Batch.objects.filter(pk=batch.pk, status=Batch.Status.EXPANDING).update(
        status=Batch.Status.PROCESSING
    )


def _is_hidden(name: str) -> bool:
    parts = name.replace("\\", "/").split("/")
    return parts[0] == "__MACOSX" or any(p.startswith(".") and p not in {".", ".."} for p in parts)


def _unsafe_member(member: zipfile.ZipInfo) -> tuple[str, str] | None:
    name = member.filename.replace("\\", "/")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return "unsafe_path", "An absolute path inside the zip; it was not extracted."
    if ".." in name.split("/"):
        return "unsafe_path", "A path with '..' inside the zip (zip-slip); it was not extracted."
    if name.lower().endswith(ARCHIVE_SUFFIXES):
        return "nested_archive", "An archive inside the zip; nested archives are not opened."
    if member.file_size > settings.REIDSITE_MAX_IMAGE_BYTES:
        return "too_large", too_large_message(member.file_size)
    return None


def pending_chunks(batch: Batch) -> list[list[int]]:
    ids = list(
        batch.items.filter(status=BatchItem.Status.PENDING)
        .order_by("seq")
        .values_list("pk", flat=True)
    )
    return [ids[i : i + CHUNK_SIZE] for i in range(0, len(ids), CHUNK_SIZE)]


def start_processing(batch: Batch) -> None:
    Batch.objects.filter(pk=batch.pk, status=Batch.Status.QUEUED).update(
        status=Batch.Status.PROCESSING, started_at=timezone.now()
    )


def process_items(batch: Batch, item_ids: list[int]) -> None:
    """Store each still-pending item; one bad file is recorded and the rest go on."""
    archive = None
    try:
        for item in batch.items.filter(pk__in=item_ids, status=BatchItem.Status.PENDING).order_by(
            "seq"
        ):
            if batch.kind == Batch.Kind.ZIP and archive is None:
                archive = zipfile.ZipFile(batch.archive.open("rb"))
            _process_item(batch, item, archive)
    finally:
        if archive is not None:
            archive.close()


def _process_item(batch: Batch, item: BatchItem, archive: zipfile.ZipFile | None) -> None:
    status, reason, message, media = BatchItem.Status.SKIPPED, "", "", None
    flags: list[str] = []
    try:
        with _open_item(item, archive) as fileobj:
            media, created = store_image(
                batch.project, fileobj, item.original_name,
                deployment=batch.deployment, batch=batch, detect=True,
            )  # fmt: skip
        if created:
            status = BatchItem.Status.ACCEPTED
            flags, message = _time_flags(media)
        else:
            status, reason = BatchItem.Status.DUPLICATE, "duplicate"
            message = f"Same image as {media.original_name} (already in the project)."
    except ImageRejected as exc:
        reason, message = exc.reason, exc.message
    except (KeyError, FileNotFoundError):
        reason, message = "missing", "The file is missing from the upload."
    except (SoftTimeLimitExceeded, DatabaseError):
        raise  # not this file's fault: the task stops (and is retried), the item stays pending
    except Exception as exc:  # noqa: BLE001 - one unreadable file must not fail the batch
        log.exception("batch %s item %s", batch.pk, item.pk)
        reason, message = "error", f"Could not be processed ({exc.__class__.__name__}: {exc})."
    if status == BatchItem.Status.DUPLICATE and media is not None and media.batch_id == batch.pk:
        if _stored_by_this_item(batch, item, media):
            # Re-delivery after a crash between storing and recording: not a duplicate.
            status, reason = BatchItem.Status.ACCEPTED, ""
            flags, message = _time_flags(media)
        else:
            message = f"Same image as {media.original_name}, earlier in this batch."
    BatchItem.objects.filter(pk=item.pk, status=BatchItem.Status.PENDING).update(
        status=status, reason=reason, message=message[:500], flags=flags, media=media,
        processed_at=timezone.now(),
    )  # fmt: skip


def _time_flags(media: Media) -> tuple[list[str], str]:
    """The report line of an accepted image without a usable time ([], "" for the others)."""
    if not media.timestamp_missing:
        return [], ""
    if media.time_problem:
        return ["no_timestamp"], f"{media.time_problem}: kept without a time."
    return ["no_timestamp"], NO_TIMESTAMP_MESSAGE


def _stored_by_this_item(batch: Batch, item: BatchItem, media: Media) -> bool:
    """Whether `media`, of this batch, came from this very item (stored before a crash)."""
    if media.original_name != item.original_name:
        return False
    # The same name and bytes twice in one batch: the item recorded first owns the image.
    return not media.batch_items.filter(batch=batch).exclude(pk=item.pk).exists()


@contextmanager
def _open_item(item: BatchItem, archive: zipfile.ZipFile | None) -> Iterator[IO[bytes]]:
    """The item's bytes as a seekable file: its staged copy, or its zip member spooled."""
    if archive is None:
        with default_storage.open(item.staged_name, "rb") as handle:
            yield handle
        return
    limit = settings.REIDSITE_MAX_IMAGE_BYTES
    # Zip members are not seekable: spool each (one at a time) to memory or a temporary file.
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as spool:
        try:
            with archive.open(item.staged_name) as member:
                # zipfile stops at the declared size; the cap is for a lying header anyway.
                while chunk := member.read(1024 * 1024):
                    spool.write(chunk)
                    if spool.tell() > limit:
                        raise ImageRejected("too_large", too_large_message(spool.tell()))
        except RuntimeError as exc:  # zipfile's "File ... is encrypted, password required"
            raise ImageRejected("encrypted", "An encrypted zip entry; it cannot be read.") from exc
        except NotImplementedError as exc:
            message = f"The zip entry uses a compression method that cannot be read ({exc})."
            raise ImageRejected("unsupported_compression", message) from exc
        except (zipfile.BadZipFile, EOFError, zlib.error) as exc:
            message = f"The zip entry is damaged ({exc}); the rest of the zip was read."
            raise ImageRejected("corrupt", message) from exc
        spool.seek(0)
        yield spool


def finish_if_done(batch_id: int) -> bool:
    """Finish the batch once no item is pending; only one caller does the finishing work."""
    if BatchItem.objects.filter(batch_id=batch_id, status=BatchItem.Status.PENDING).exists():
        return False
    won = Batch.objects.filter(pk=batch_id, status=Batch.Status.PROCESSING).update(
        status=Batch.Status.DONE, finished_at=timezone.now()
    )
    if not won:
        return False
    _after_ingest(Batch.objects.select_related("project").get(pk=batch_id))
    return True


STALLED_REASON = "stalled"
STALLED_ITEM_MESSAGE = "Not processed: the batch stalled and was given up. Upload it again."
ACTIVE_STATUSES = (Batch.Status.QUEUED, Batch.Status.EXPANDING, Batch.Status.PROCESSING)


def give_up(batch_id: int, message: str) -> bool:
    """Fail an ingest that made no progress however often it was re-queued (the sweeper's last
    resort): its pending items are skipped with reason "stalled", and the images it did store
    go on to events and re-identification as in a finished batch. Only one caller wins."""
    now = timezone.now()
    won = Batch.objects.filter(pk=batch_id, status__in=ACTIVE_STATUSES).update(
        status=Batch.Status.FAILED, finished_at=now, message=message
    )
    if not won:
        return False
    BatchItem.objects.filter(batch_id=batch_id, status=BatchItem.Status.PENDING).update(
        status=BatchItem.Status.SKIPPED, reason=STALLED_REASON, message=STALLED_ITEM_MESSAGE,
        processed_at=now,
    )  # fmt: skip
    _after_ingest(Batch.objects.select_related("project").get(pk=batch_id))
    return True


def _after_ingest(batch: Batch) -> None:
    """Every item is recorded: group the stored images into events, drop the staged copies,
    and hand the sightings to re-identification."""
    for deployment in Deployment.objects.filter(media__batch=batch).distinct():
        regroup_events(deployment)
    _clean_staging(batch)
    reid_hooks.batch_ingested(batch.pk)


def _clean_staging(batch: Batch) -> None:
    """Staged copies are no longer needed once every item is recorded."""
    for name in batch.items.exclude(staged_name="").values_list("staged_name", flat=True):
        if batch.kind == Batch.Kind.FILES:
            try:
                default_storage.delete(name)
            except OSError:
                log.warning("could not delete staged file %s", name)
    if batch.archive:
        try:
            batch.archive.delete(save=False)
        except OSError:
            log.warning("could not delete archive of batch %s", batch.pk)
        Batch.objects.filter(pk=batch.pk).update(archive="")
