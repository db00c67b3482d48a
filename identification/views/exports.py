"""Exports for ecologists: the page with the forms, and one download URL per format.

Downloads are GETs with the options in the query string, so a download can be bookmarked
or fetched with curl by a member with a session. Every member role may download. A form with
errors re-renders the page with the message and status 400.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import render

from ..forms.exports import HistoryForm, SightingFilterForm
from ..models import Project, Sighting
from ..services.exports import capture_history as ch
from ..services.exports.filters import filtered_sightings
from ..services.exports.sightings_csv import stream_sightings_csv
from ..services.exports.streaming import content_disposition
from .access import AuthenticatedRequest, get_project_for_user


def _page(
    request: HttpRequest,
    project: Project,
    filter_form: SightingFilterForm | None = None,
    history_form: HistoryForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "project": project,
        "filter_form": filter_form or SightingFilterForm(project=project),
        "history_form": history_form or HistoryForm(initial=ch.survey_span(project)),
        "batches": project.batches.only("pk", "archive_name", "created_at")[:200],
        "deployments": project.deployments.only("pk", "code", "name"),
    }
    return render(request, "exports/page.html", context, status=status)


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


@login_required
def exports_page(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    project = get_project_for_user(request, slug)
    return _page(request, project)


def _filtered_download(
    request: AuthenticatedRequest,
    slug: str,
    stream: Callable[..., Iterator[bytes]],
    content_type: str,
    suffix: str,
) -> HttpResponseBase:
    """The project's sightings under the form's filters, streamed by `stream`."""
    project = get_project_for_user(request, slug)
    form = SightingFilterForm(request.GET, project=project)
    if not form.is_valid():
        return _page(request, project, filter_form=form, status=400)
    sightings = filtered_sightings(project, form.filters())
    response = StreamingHttpResponse(
        stream(project, sightings, base_url=_base_url(request)), content_type=content_type
    )
    response["Content-Disposition"] = content_disposition(f"{project.slug}-{suffix}")
    return response


@login_required
def export_sightings(request: AuthenticatedRequest, slug: str) -> HttpResponseBase:
    return _filtered_download(
        request, slug, stream_sightings_csv, "text/csv; charset=utf-8", "sightings.csv"
    )


@login_required
def export_capture_history(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    project = get_project_for_user(request, slug)
    form = HistoryForm(request.GET)
    if not form.is_valid():
        return _page(request, project, history_form=form, status=400)
    options = form.options()
    # Individuals × occasions is small: built whole, sent as one response.
    response = HttpResponse(ch.history_zip(project, options), content_type="application/zip")
    response["Content-Disposition"] = content_disposition(ch.zip_name(project, options))
    return response


@login_required
def export_camtrapdp(request: AuthenticatedRequest, slug: str) -> HttpResponseBase:
    # Imported here: the Camtrap DP module is its own piece of work, and only this view needs it.
    from ..services.exports.camtrapdp import stream_camtrapdp
    from ..services.exports.frame_observations import filtered_frames

    def stream(project: Project, sightings: QuerySet[Sighting], base_url: str) -> Iterator[bytes]:
        # Valid: _filtered_download checked the same form before calling this.
        form = SightingFilterForm(request.GET, project=project)
        frames = filtered_frames(project, form.filters() if form.is_valid() else None)
        return stream_camtrapdp(project, sightings, frames=frames, base_url=base_url)

    return _filtered_download(request, slug, stream, "application/zip", "camtrapdp.zip")
