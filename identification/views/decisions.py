"""The audit trail: a project's recent decisions, and one sighting's page with its history."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from ..models import Decision, Role, Sighting
from ..services import review_queue as rq
from .access import AuthenticatedRequest, get_project_for_user, has_role


@login_required
def decision_list(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    project = get_project_for_user(request, slug)
    decisions = Decision.objects.filter(project=project).select_related(
        "user", "individual", "sighting", "candidate__individual", "reverts", "reverted_by"
    )
    who = request.GET.get("user", "")
    if who:
        decisions = decisions.filter(user__username=who)
    page = Paginator(decisions.order_by("-created_at", "-pk"), 50).get_page(request.GET.get("page"))
    context = {
        "project": project,
        "page": page,
        "who": who,
        "per_expert": rq.decisions_per_expert(project),
    }
    return render(request, "review/decision_list.html", context)


@login_required
def sighting_detail(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    project = get_project_for_user(request, slug)
    sighting = get_object_or_404(
        Sighting.objects.select_related("media__deployment", "individual", "decided_by"),
        project=project,
        pk=pk,
    )
    history = sighting.decisions.select_related(
        "user", "individual", "candidate__individual", "reverts", "reverted_by"
    ).order_by("-created_at", "-pk")
    context = {
        "project": project,
        "sighting": sighting,
        "media": sighting.media,
        "history": history,
        "candidates": sighting.candidates.select_related("individual").order_by("-fused")[:10],
        "can_review": has_role(project, Role.EXPERT),
    }
    return render(request, "review/sighting_detail.html", context)
