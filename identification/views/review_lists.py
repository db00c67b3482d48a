"""The review queue as a list, with its bulk actions, and the project overview's review part.
The screen that reviews one sighting at a time is views/review.py."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from ..forms.review import BulkForm
from ..models import Decision, Role, Sighting
from ..services import decisions as svc
from ..services import review_queue as rq
from .access import AuthenticatedRequest, get_project_for_user, has_role
from .review_common import filters_of, form_error, not_post, remember_skip, with_qs


@login_required
def review_queue(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    project = get_project_for_user(request, slug, Role.EXPERT)
    filters = filters_of(request)
    rows = rq.queue(project, filters).select_related(
        "media__deployment", "individual", "claimed_by"
    )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    rq.annotate_rows(list(page))
    context = {
        "project": project,
        "page": page,
        "filters": filters,
        "qs": filters.querystring(),
        "counts": rq.counts(project, filters),
        "batches": project.batches.only("pk", "archive_name", "created_at")[:200],
        "deployments": project.deployments.only("pk", "code", "name"),
        "orders": rq.ORDERS,
        "statuses": rq.STATUSES,
        "now": timezone.now(),
    }
    return render(request, "review/queue.html", context)


@login_required
def review_bulk(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    """Mark the sightings ticked in the queue list no animal, or skip them, in one go."""
    project = get_project_for_user(request, slug, Role.EXPERT)
    if refused := not_post(request):
        return refused
    filters = filters_of(request)
    form = BulkForm(request.POST)
    back = with_qs(reverse("review_queue", args=[slug]), filters)
    if not form.is_valid() or not form.ids():
        messages.error(request, form_error(form) or "Tick at least one sighting.")
        return redirect(back)
    chosen = list(
        Sighting.objects.filter(project=project, pk__in=form.ids())
        .select_related("project")
        .order_by("pk")
    )
    done, refused_ = 0, []
    for sighting in chosen:
        try:
            if form.cleaned_data["action"] == "discard":
                if sighting.status == Sighting.Status.PENDING:
                    svc.discard(sighting, by=request.user)
                    done += 1
            else:
                svc.skip(sighting, by=request.user)
                remember_skip(request, project, sighting.pk)
                done += 1
        except svc.DecisionError as error:
            refused_.append(str(error))
    what = "marked no animal" if form.cleaned_data["action"] == "discard" else "skipped"
    messages.success(request, f"{done} sighting{'s' if done != 1 else ''} {what}.")
    for text in refused_[:5]:
        messages.error(request, text)
    return redirect(back)


@login_required
def review_overview(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    """The project overview's review section, loaded into the overview page by htmx."""
    project = get_project_for_user(request, slug)
    context = {
        "project": project,
        "counts": rq.review_counts(project.sightings.all()),
        "per_expert": rq.decisions_per_expert(project),
        "recent": Decision.objects.filter(project=project)
        .select_related("user", "individual", "sighting")
        .order_by("-created_at", "-pk")[:8],
        "can_review": has_role(project, Role.EXPERT),
    }
    return render(request, "review/_project_review.html", context)
