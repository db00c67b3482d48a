"""Turning uploaded files into Media and Sightings, one file at a time, never failing a batch.

`store_image` is the one way an image enters a project (batch uploads, catalogue imports,
the demo): it checks the file, reads EXIF, writes the content-addressed file and its
thumbnail, and creates the Media with its Sighting. Bad input raises `ImageRejected` with a
reason code and a sentence for the batch report.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import warnings
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING

from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from ..models import Batch, Deployment, Media, Project, Sighting
from ..models.media import media_upload_to, thumbnail_upload_to
from .capture_times import capture_window
from .exif import ExifInfo, read_exif
from .thumbnails import decode_for_thumbnail, thumbnail_jpeg

# Formats a camera trap or a catalogue produces; anything else is reported, not guessed at.
ACCEPTED_FORMATS = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "TIFF": "image/tiff",
    "WEBP": "image/webp",
    # iPhones and some trail cameras; Pillow reads it through pillow-heif (apps.ready).
    "HEIF": "image/heic",
}
# The stored file's extension comes from the decoded format, never from the uploaded name:
# a JPEG with an HTML page appended decodes as a JPEG, and stored as .html a web server in
# front of the media folder would serve it as a page.
FORMAT_SUFFIXES = {"JPEG": ".jpg", "PNG": ".png", "TIFF": ".tif", "WEBP": ".webp", "HEIF": ".heic"}
ARCHIVE_SUFFIXES = (".zip", ".tar", ".tgz", ".gz", ".bz2", ".xz", ".7z", ".rar")
# A truncated image must be reported, not silently padded with grey.
ImageFile.LOAD_TRUNCATED_IMAGES = False
_CHUNK = 1024 * 1024


class ImageRejected(Exception):
    """A file that cannot become a Media; `reason` is a short code, `message` a sentence."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message


NAME_LIMIT = 500  # Media.original_name and BatchItem.original_name


def shown_name(name: str) -> str:
    """`name` as stored for display: a longer one keeps its start and its end (the file name
    and extension), joined by "…", so it still fits and still says which file it was."""
    if len(name) <= NAME_LIMIT:
        return name
    tail = NAME_LIMIT * 3 // 5
    return f"{name[: NAME_LIMIT - tail - 1]}…{name[-tail:]}"


def sha256_of(fileobj: IO[bytes]) -> tuple[str, int]:
    """(hex digest, size), reading in chunks and leaving the file at its start."""
    digest, size = hashlib.sha256(), 0
    fileobj.seek(0)
    while chunk := fileobj.read(_CHUNK):
        digest.update(chunk)
        size += len(chunk)
    fileobj.seek(0)
    return digest.hexdigest(), size


def check_image(fileobj: IO[bytes], original_name: str) -> tuple[Image.Image, tuple[int, int]]:
    """Open and fully decode the image, or raise ImageRejected saying what is wrong with it.

    Returns the decoded image and the stored file's pixel size. Decoding (not only reading the
    header) is what catches truncated and corrupt files. JPEGs are decoded at the reduced scale
    the thumbnail needs (`draft`), which still reads every byte of the stream.
    """
    if original_name.lower().endswith(ARCHIVE_SUFFIXES):
        raise ImageRejected("nested_archive", "An archive inside the upload; it was not opened.")
    max_pixels = settings.REIDSITE_MAX_IMAGE_PIXELS
    # Set on every call: a library imported later in the process (yolov5) switches it on.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    # Pillow warns above its limit and refuses above twice it: make both follow the setting.
    Image.MAX_IMAGE_PIXELS = max_pixels
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(fileobj)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRejected("decompression_bomb", _bomb_message(max_pixels)) from None
    except UnidentifiedImageError:
        if _looks_like_an_image(fileobj):
            message = "The file starts like an image but its header is corrupt."
            raise ImageRejected("corrupt", message) from None
        message = "Not an image, or a format that cannot be read."
        raise ImageRejected("not_an_image", message) from None
    except Exception as exc:  # noqa: BLE001 - Pillow raises many kinds for broken headers
        raise ImageRejected("corrupt", f"The image header is corrupt ({exc}).") from None
    if image.format not in ACCEPTED_FORMATS:
        raise ImageRejected(
            "unsupported_format",
            f"{image.format} images are not supported; upload JPEG, PNG, TIFF, WebP or HEIC.",
        )
    width, height = image.size
    if width * height > max_pixels:
        raise ImageRejected("decompression_bomb", _bomb_message(max_pixels, width, height))
    try:
        decode_for_thumbnail(image)
        image.load()
    except OSError as exc:
        if "truncated" in str(exc).lower():
            raise ImageRejected(
                "truncated", "The file is truncated (an incomplete copy?)."
            ) from None
        raise ImageRejected("corrupt", f"The image data is corrupt ({exc}).") from None
    except Exception as exc:  # noqa: BLE001
        raise ImageRejected("corrupt", f"The image data is corrupt ({exc}).") from None
    return image, (width, height)


_SIGNATURES = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"II*\x00", b"MM\x00*", b"RIFF")


def _looks_like_an_image(fileobj: IO[bytes]) -> bool:
    fileobj.seek(0)
    head = fileobj.read(12)
    fileobj.seek(0)
    # HEIC is an ISO media file: its "ftyp" box starts at byte 4.
    return head.startswith(_SIGNATURES) or head[4:12] in (b"ftypheic", b"ftypmif1")


def too_large_message(size: int) -> str:
    limit = settings.REIDSITE_MAX_IMAGE_BYTES / 1024 / 1024
    return f"{size / 1024 / 1024:.1f} MB is over the {limit:.0f} MB limit for one image."


def _bomb_message(limit: int, width: int | None = None, height: int | None = None) -> str:
    size = f" ({width}×{height})" if width else ""
    return f"Too many pixels{size}: the limit is {limit / 1e6:.0f} megapixels."


def store_image(
    project: Project,
    fileobj: IO[bytes],
    original_name: str,
    *,
    deployment: Deployment | None = None,
    batch: Batch | None = None,
    default_tz: str | None = None,
    detect: bool = False,
) -> tuple[Media, bool]:
    """Store one image in the project and return (media, created).

    - `fileobj`: a seekable binary file (an UploadedFile, a storage file, a spooled zip
      member); it is read in chunks, never whole, and left at its start.
    - `original_name`: the name to show and to report (a zip path is fine); it is stored, not
      used as a path.
    - `deployment`: the camera station; only media with a deployment and a capture time join
      events (call `events.regroup_events(deployment)` once after storing many images).
    - `batch`: the Batch it arrived with, if any.
    - `default_tz`: IANA zone for EXIF times without an offset; the project's by default.
    - `detect`: a camera-trap frame, waiting for the detection stage (worker.tasks.detection)
      to find its animals; hidden from review until then. Off for catalogue images (crops of
      known animals).

    Creates the Media (content-addressed file and ~480 px JPEG thumbnail in default_storage,
    sha256, size, EXIF time/GPS/camera, raw EXIF as JSON) and one whole-frame Sighting with
    side unknown. A file whose sha256 the project already has returns the existing Media and
    created=False. Bad input raises `ImageRejected(reason, message)`; reasons: not_an_image,
    unsupported_format, corrupt, truncated, decompression_bomb, too_large, nested_archive.

    Safe to call twice for the same file, also concurrently: the file name is
    content-addressed and (project, sha256) is unique, so the loser of a race gets the
    winner's Media with created=False. Does not queue re-identification: callers do that once
    per batch (`reid_hooks.batch_ingested`).
    """
    if deployment is not None and deployment.project_id != project.pk:
        raise ValueError(f"Deployment {deployment.pk} belongs to another project.")
    digest, size = sha256_of(fileobj)
    if size > settings.REIDSITE_MAX_IMAGE_BYTES:
        raise ImageRejected("too_large", too_large_message(size))
    if size == 0:
        raise ImageRejected("not_an_image", "The file is empty.")
    existing = Media.objects.filter(project=project, sha256=digest).first()
    if existing is not None:
        return existing, False

    image, stored_size = check_image(fileobj, original_name)
    exif = read_exif(image, default_tz or project.time_zone)
    taken_at, time_problem = plausible_time(project, exif)
    oriented = ImageOps.exif_transpose(image)
    # Displayed size: browsers apply the EXIF orientation, and so do crops and keypoints.
    width, height = _oriented_size(image, stored_size)
    media = Media(
        project=project,
        deployment=deployment,
        batch=batch,
        sha256=digest,
        original_name=shown_name(original_name),
        file_size=size,
        mime_type=ACCEPTED_FORMATS[image.format or ""],  # check_image accepted the format
        width=width,
        height=height,
        taken_at=taken_at,
        timestamp_missing=taken_at is None,
        raw_time=exif.time_text if time_problem else "",
        time_problem=time_problem,
        latitude=exif.latitude,
        longitude=exif.longitude,
        camera_make=exif.make[:100],
        camera_model=exif.model[:100],
        exif=exif.raw,
        detection_status=Media.Detection.PENDING if detect else Media.Detection.SKIPPED,
    )
    stored_as = f"image{FORMAT_SUFFIXES[image.format or '']}"
    media.file.name = _save_once(media_upload_to(media, stored_as), fileobj, size)
    thumb = thumbnail_jpeg(oriented)
    media.thumbnail.name = _save_once(
        thumbnail_upload_to(media, original_name), io.BytesIO(thumb), len(thumb)
    )
    try:
        with transaction.atomic():
            media.save()
            Sighting.objects.create(project=project, media=media)
    except IntegrityError:
        # Another worker stored the same image a moment ago (a re-delivered task, or a chunk
        # re-queued while it was still running). Its Media stands; a copy of the files that
        # this call wrote under another name than the winner's is dropped.
        winner = Media.objects.get(project=project, sha256=digest)
        for ours, theirs in ((media.file, winner.file), (media.thumbnail, winner.thumbnail)):
            if ours.name != theirs.name:
                assert ours.name is not None  # _save_once named both files above
                default_storage.delete(ours.name)
        return winner, False
    return media, True


def plausible_time(project: Project, exif: ExifInfo) -> tuple[dt.datetime | None, str]:
    """(capture time, "") when the EXIF time is usable; else (None, the sentence saying why).

    An image is never refused for its clock: it is kept without a time (in no event), and
    the raw value stays on the Media for the media page and the batch report.
    """
    if not exif.time_text:
        return None, ""
    if exif.taken_at is None:
        return None, f"EXIF time {exif.time_text!r} is not a date and time"
    window = capture_window(project)
    if not window.contains(exif.taken_at):
        return None, f"EXIF time {exif.time_text} is outside {window.describe()}"
    return exif.taken_at, ""


def _oriented_size(image: Image.Image, size: tuple[int, int]) -> tuple[int, int]:
    width, height = size
    try:
        orientation = image.getexif().get(0x0112, 1)
    except Exception:  # noqa: BLE001
        orientation = 1
    return (height, width) if orientation in (5, 6, 7, 8) else (width, height)


# A shorter file written to this recently may be another worker's write in progress (the
# same image stored by two copies of a task at once): it is left alone. Well below the
# sweeper's stall interval, after which a killed worker's work is re-run.
WRITE_IN_PROGRESS_SECONDS = 60


def _save_once(name: str, fileobj: IO[bytes], size: int) -> str:
    """Content-addressed: a file of that name and size already holds these bytes.

    A worker killed while writing leaves a shorter file behind; the re-run replaces it. A
    shorter file still being written is another worker's: this copy is saved under a free
    name instead (and dropped by store_image if the other worker's Media wins).
    """
    try:
        if default_storage.exists(name):
            if default_storage.size(name) == size:
                return name
            if not _being_written(name):
                default_storage.delete(name)
    except FileNotFoundError:
        pass  # gone in between: replaced by its writer
    fileobj.seek(0)
    saved = default_storage.save(name, File(fileobj, name=name))
    fileobj.seek(0)
    return saved


def _being_written(name: str) -> bool:
    try:
        age = timezone.now() - default_storage.get_modified_time(name)
    except (OSError, NotImplementedError):
        return False
    return age.total_seconds() < WRITE_IN_PROGRESS_SECONDS


def stage_upload(batch: Batch, seq: int, uploaded: File[bytes]) -> str:
    """Copy an uploaded file into storage in chunks, for a worker to pick up."""
    name = f"uploads/staging/{batch.pk}/{seq:06d}"
    return default_storage.save(name, _ChunkedFile(uploaded))


if TYPE_CHECKING:
    _BytesFile = File[bytes]
else:
    _BytesFile = File  # Django's File is generic only in django-stubs


class _ChunkedFile(_BytesFile):
    """Django's File over an UploadedFile, read in chunks (never all at once)."""

    def __init__(self, uploaded: File[bytes]) -> None:
        super().__init__(uploaded, name=getattr(uploaded, "name", None))
        self.uploaded = uploaded

    def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]:
        yield from self.uploaded.chunks(chunk_size or _CHUNK)
