"""What the review views share: fragments or pages, the queue's filters in the URL, and the
sightings an expert skipped this session."""

from __future__ import annotations

from django.forms import Form
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed

from ..forms.review import QueueFilterForm
from ..models import Project
from ..services import review_queue as rq
from .access import HtmxRequest

SKIP_KEEP = 200


def wants_fragment(request: HtmxRequest) -> bool:
    """An htmx swap; a history restore (back button, cache miss) needs the whole page."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def not_post(request: HttpRequest) -> HttpResponse | None:
    """405 for a non-POST, checked after the project guard so non-members still get 404."""
    return None if request.method == "POST" else HttpResponseNotAllowed(["POST"])


def filters_of(request: HttpRequest) -> rq.QueueFilters:
    return QueueFilterForm(request.GET).filters()


def with_qs(url: str, filters: rq.QueueFilters) -> str:
    qs = filters.querystring()
    return f"{url}?{qs}" if qs else url


def skipped_key(project: Project) -> str:
    return f"review-skipped-{project.pk}"


def remember_skip(request: HttpRequest, project: Project, pk: int) -> None:
    """This expert's queue serves the sighting after the others (the last SKIP_KEEP kept)."""
    key = skipped_key(project)
    request.session[key] = [*request.session.get(key, []), pk][-SKIP_KEEP:]


def form_error(form: Form) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)
