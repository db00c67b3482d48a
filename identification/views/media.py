from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from ..models import Media
from .access import get_project_for_user


@login_required
def media_detail(request, slug, pk):
    project = get_project_for_user(request, slug)
    media = get_object_or_404(
        Media.objects.select_related("deployment", "event", "batch"), project=project, pk=pk
    )
    burst = []
    if media.event_id:
        burst = list(media.event.media.order_by("taken_at", "pk"))
    context = {
        "project": project,
        "media": media,
        "burst": burst,
        "sightings": media.sightings.select_related("individual"),
        "exif_items": sorted(media.exif.items()) if isinstance(media.exif, dict) else [],
    }
    return render(request, "identification/media_detail.html", context)


def _serve(request, slug, pk, field: str):
    project = get_project_for_user(request, slug)
    media = get_object_or_404(Media, project=project, pk=pk)
    stored = getattr(media, field) or media.file
    if not stored:
        raise Http404("No file")
    if not hasattr(default_storage, "path"):
        # S3 and friends: a short-lived signed URL instead of streaming through the web process.
        return HttpResponseRedirect(stored.url)
    try:
        handle = stored.open("rb")
    except FileNotFoundError:
        raise Http404("The stored file is missing") from None
    response = FileResponse(
        handle, content_type=media.mime_type if field == "file" else "image/jpeg"
    )
    # Content-addressed: the bytes behind a URL never change.
    response["Cache-Control"] = "private, max-age=31536000, immutable"
    return response


@login_required
@require_GET
def media_file(request, slug, pk):
    return _serve(request, slug, pk, "file")


@login_required
@require_GET
def media_thumbnail(request, slug, pk):
    return _serve(request, slug, pk, "thumbnail")
