import posixpath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import Storage, default_storage
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from ..forms.review import BoxForm
from ..models import DetectedObject, Media, Role
from ..services import boxes, detections, privacy
from .access import AuthenticatedRequest, get_project_for_user, has_role


@login_required
def media_detail(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    project = get_project_for_user(request, slug)
    media = get_object_or_404(
        Media.objects.select_related("deployment", "event", "batch"), project=project, pk=pk
    )
    burst = []
    if media.event is not None:
        burst = list(media.event.media.order_by("taken_at", "pk"))
    context = {
        "project": project,
        "media": media,
        "burst": burst,
        "sightings": media.sightings.select_related("individual"),
        "exif_items": sorted(media.exif.items()) if isinstance(media.exif, dict) else [],
    }
    return render(request, "identification/media_detail.html", context)


@login_required
@require_POST
def media_add_box(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    """A ranger (or anyone above) boxes an animal the detector missed, e.g. in a blank frame."""
    project = get_project_for_user(request, slug, Role.RANGER)
    media = get_object_or_404(Media, project=project, pk=pk)
    form = BoxForm(request.POST)
    if not form.is_valid() or form.cleaned_data["action"] != "add":
        messages.error(request, "Draw the box, or give its left, top, width and height in pixels.")
        return redirect("media_detail", slug, pk)
    try:
        decision = boxes.add_box(media, boxes.from_pixels(media, *form.pixels()), by=request.user)
    except boxes.BoxError as error:
        messages.error(request, str(error))
        return redirect("media_detail", slug, pk)
    messages.success(
        request, f"Sighting {decision.sighting_id} added; it is matched, then queued for review."
    )
    return redirect("media_detail", slug, pk)


# How long a signed S3 URL for one image stays valid: enough to load the page, not to share.
SIGNED_URL_SECONDS = 300


def _serve(
    request: AuthenticatedRequest, slug: str, pk: int, field: str
) -> FileResponse | HttpResponseRedirect:
    project = get_project_for_user(request, slug)
    media = get_object_or_404(Media.objects.select_related("project"), project=project, pk=pk)
    stored = getattr(media, field) or media.file
    if not stored:
        raise Http404("No file")
    persons = [] if has_role(project, Role.ADMIN) else detections.persons_in(media)
    if persons:
        return _serve_blurred(media, field, persons)
    if not _is_local(stored.storage):
        # S3 and friends: a short-lived signed URL instead of streaming through the web process.
        return HttpResponseRedirect(_signed_url(stored.storage, stored.name or ""))
    try:
        handle = stored.open("rb")
    except FileNotFoundError:
        raise Http404("The stored file is missing") from None
    is_file = field == "file" or not media.thumbnail
    response = FileResponse(
        handle,
        content_type=media.mime_type if is_file else "image/jpeg",
        filename=_download_name(media) if is_file else "",
    )
    # Content-addressed: the bytes behind a URL never change, unless detection has yet to
    # find the people a non-admin must not see.
    if media.detection_status == Media.Detection.PENDING:
        response["Cache-Control"] = "private, no-cache"
    else:
        response["Cache-Control"] = "private, max-age=31536000, immutable"
    return response


def _serve_blurred(
    media: Media, field: str, persons: list[DetectedObject]
) -> FileResponse | HttpResponseRedirect:
    """People are blurred for non-admins (services.privacy); never the original bytes."""
    try:
        name = privacy.blurred_copy(media, field, persons)
    except FileNotFoundError:
        raise Http404("The stored file is missing") from None
    if not _is_local(default_storage):
        return HttpResponseRedirect(_signed_url(default_storage, name))
    stem = posixpath.splitext(posixpath.basename(media.original_name))[0]
    response = FileResponse(
        default_storage.open(name, "rb"),
        content_type="image/jpeg",
        filename=f"{stem}-blurred.jpg" if field == "file" else "",
    )
    # Not immutable: an admin may correct the detection, and the blur with it.
    response["Cache-Control"] = "private, no-cache"
    return response


def _download_name(media: Media) -> str:
    """The original file name with the stored format's extension: "x.html" that decoded as a
    JPEG is saved by the browser as "x.jpg", never as a page."""
    stem, ext = posixpath.splitext(posixpath.basename(media.original_name))
    stored_ext = posixpath.splitext(media.file.name or "")[1]
    return f"{stem}{stored_ext}" if stored_ext and ext.lower() != stored_ext else f"{stem}{ext}"


def _is_local(storage: Storage) -> bool:
    try:
        storage.path("probe")
    except NotImplementedError:  # the base Storage.path: files without a local path
        return False
    return True


def _signed_url(storage: Storage, name: str) -> str:
    try:
        return storage.url(name, expire=SIGNED_URL_SECONDS)  # type: ignore[call-arg]  # S3Storage
    except TypeError:
        return storage.url(name)


@login_required
@require_GET
def media_file(
    request: AuthenticatedRequest, slug: str, pk: int
) -> FileResponse | HttpResponseRedirect:
    return _serve(request, slug, pk, "file")


@login_required
@require_GET
def media_thumbnail(
    request: AuthenticatedRequest, slug: str, pk: int
) -> FileResponse | HttpResponseRedirect:
    return _serve(request, slug, pk, "thumbnail")
