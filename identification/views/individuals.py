"""The individuals catalogue: list and search, detail with timeline, rename, merge, split."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers

from ..forms.individuals import MergeForm, RenameForm, SplitForm
from ..models import Individual, Project, Role, Sighting
from ..services import decisions as svc
from ..services import individual_search, undo
from .access import AuthenticatedRequest, get_project_for_user, has_role
from .review_common import not_post, wants_fragment

PER_PAGE = 48


@login_required
def individual_list(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    project = get_project_for_user(request, slug)
    q = request.GET.get("q", "")
    page = Paginator(individual_search.search(project, q).order_by("code"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    ids = [i.pk for i in page]
    # One query for the deployments of the whole page rather than one per individual.
    deployments: dict[int, list[str]] = {}
    rows = (
        Sighting.objects.filter(individual_id__in=ids, status=Sighting.Status.CONFIRMED)
        .exclude(media__deployment__isnull=True)
        .values_list("individual_id", "media__deployment__code")
        .distinct()
        .order_by("individual_id", "media__deployment__code")
    )
    for individual_id, code in rows:
        deployments.setdefault(individual_id, []).append(code)
    for individual in page:
        # For the template only: not a field, not an annotation of the query.
        individual.deployment_codes = deployments.get(individual.pk, [])  # type: ignore[attr-defined]
    context = {"project": project, "page": page, "q": q}
    template = "individuals/_results.html" if wants_fragment(request) else "individuals/list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@login_required
def individual_detail(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    project = get_project_for_user(request, slug)
    individual = get_object_or_404(
        Individual.objects.select_related("merged_into"), project=project, pk=pk
    )
    if individual.merged_into is not None:
        messages.info(request, f"{individual.code} was merged into {individual.merged_into.code}.")
        return redirect(individual.merged_into)
    sightings = individual.sightings.select_related("media__deployment", "decided_by").order_by(
        "media__taken_at", "pk"
    )
    is_expert = has_role(project, Role.EXPERT)
    context = {
        "project": project,
        "individual": individual,
        "sightings": sightings,
        "aliases": individual.merged_from.order_by("code"),
        "decisions": individual.decisions.select_related("user", "sighting").order_by(
            "-created_at", "-pk"
        )[:20],
        "is_expert": is_expert,
        "rename_form": RenameForm(initial={"name": individual.name}),
        "merge_form": MergeForm(project=project),
        "last_decision": undo.last_undoable(project, request.user) if is_expert else None,
    }
    return render(request, "individuals/detail.html", context)


def _expert_individual(
    request: AuthenticatedRequest, slug: str, pk: int
) -> tuple[Project, Individual]:
    project = get_project_for_user(request, slug, Role.EXPERT)
    individual = get_object_or_404(Individual, project=project, pk=pk, merged_into__isnull=True)
    return project, individual


@login_required
def individual_rename(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    project, individual = _expert_individual(request, slug, pk)
    if refused := not_post(request):
        return refused
    form = RenameForm(request.POST)
    if form.is_valid():
        svc.rename(individual, form.cleaned_data["name"], by=request.user)
        messages.success(request, f"{individual.code} is now called “{individual.name}”.")
    return redirect(individual)


def _run(
    request: AuthenticatedRequest,
    individual: Individual,
    form: forms.Form,
    act: Callable[[dict[str, Any]], tuple[str, Individual]],
) -> HttpResponse:
    """Validate the form, apply `act(cleaned_data) -> (message, where to go)`, report."""
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect(individual)
    try:
        text, target = act(form.cleaned_data)
    except svc.DecisionError as error:
        messages.error(request, str(error))
        return redirect(individual)
    messages.success(request, text)
    return redirect(target)


@login_required
def individual_merge(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    """Merge this individual into the one named by code; the survivor's page follows."""
    project, individual = _expert_individual(request, slug, pk)
    if refused := not_post(request):
        return refused

    def act(data: dict[str, Any]) -> tuple[str, Individual]:
        svc.merge(individual, data["target"], by=request.user, note=data["note"])
        target = data["target"]
        return f"{individual.code} merged into {target.code}. Undo: u on the review screen.", target

    return _run(request, individual, MergeForm(request.POST, project=project), act)


@login_required
def individual_split(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    """Move the ticked sightings to another individual, or to a new one."""
    project, individual = _expert_individual(request, slug, pk)
    if refused := not_post(request):
        return refused

    def act(data: dict[str, Any]) -> tuple[str, Individual]:
        decision = svc.split(
            individual, data["sightings"], by=request.user, into=data["into"], name=data["name"]
        )
        moved = len(decision.previous_state["sighting_ids"])
        assert decision.individual is not None  # where the sightings went
        return f"Moved {moved} sighting(s) to {decision.individual.code}.", individual

    form = SplitForm(request.POST, project=project, individual=individual)
    return _run(request, individual, form, act)
