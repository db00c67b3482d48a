"""The matcher page: which global model ranks the project's sightings, its fine-tunings with
what each measured, training progress, the re-embedding after a change, and the embedding map.

Every member may look; training now, deploying and rolling back need the admin role.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ..models import GlobalModelVersion, Individual, Project, Role
from ..services import global_models
from ..services import reembedding as reembedding_service
from .access import AuthenticatedRequest, get_project_for_user, has_role

MAP_SIZE = 360  # SVG user units of one map


def _status_context(project: Project) -> dict[str, Any]:
    ready = global_models.readiness(project)
    reembedding = reembedding_service.progress(project)
    return {
        "project": project,
        "ready": ready,
        "reembedding": reembedding,
        "polling": ready.in_flight is not None
        or (reembedding is not None and not reembedding.given_up),
        "can_manage": has_role(project, Role.ADMIN),
    }


def _colour(individual_id: int | None) -> str:
    if individual_id is None:
        return "#888"
    hue = int(hashlib.sha256(str(individual_id).encode()).hexdigest()[:4], 16) % 360
    return f"hsl({hue} 70% 42%)"


def _map_points(project: Project, version: GlobalModelVersion) -> dict[str, Any] | None:
    data = version.embedding_map or {}
    ids = data.get("sightings") or []
    if not ids:
        return None
    sightings = {
        s.pk: s for s in project.sightings.filter(pk__in=ids).only("pk", "media_id", "status")
    }
    codes = dict(
        Individual.objects.filter(project=project, pk__in=set(data["individuals"]) - {None})
        .values_list("pk", "code")
    )  # fmt: skip
    maps = []
    for which in ("before", "after"):
        points = []
        for k, sighting_id in enumerate(ids):
            sighting = sightings.get(sighting_id)
            if sighting is None:  # deleted since
                continue
            individual = data["individuals"][k]
            x, y = data[which][k]
            points.append(
                {
                    "x": round(8 + x * (MAP_SIZE - 16), 1),
                    "y": round(8 + y * (MAP_SIZE - 16), 1),
                    "colour": _colour(individual),
                    "pending": individual is None,
                    "title": f"{codes.get(individual, 'pending')} · sighting {sighting_id}",
                    "href": reverse("sighting_detail", args=[project.slug, sighting_id]),
                    "thumb": reverse("media_thumbnail", args=[project.slug, sighting.media_id]),
                }
            )
        maps.append({"which": which, "points": points,
                     "separation": data.get(f"separation_{which}")})  # fmt: skip
    return {"version": version, "maps": maps, "size": MAP_SIZE}


@login_required
def matcher_page(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    project = get_project_for_user(request, slug)
    context = _status_context(project)
    if request.htmx and request.GET.get("part") == "status":
        return render(request, "identification/_matcher_status.html", context)
    versions = list(project.global_model_versions.select_related("base", "requested_by"))
    with_map = [v for v in versions if v.embedding_map]
    chosen = with_map[0] if with_map else None
    if (asked := request.GET.get("map", "")).isdigit():
        chosen = next((v for v in with_map if v.number == int(asked)), chosen)
    context.update(
        versions=versions,
        with_map=with_map,
        embedding=_map_points(project, chosen) if chosen else None,
        deployable={v.pk for v in global_models.deployable(project)},
    )
    return render(request, "identification/matcher.html", context)


@login_required
@require_POST
def matcher_train(request: AuthenticatedRequest, slug: str) -> HttpResponseBase:
    project = get_project_for_user(request, slug, Role.ADMIN)
    version = global_models.request_training(project, request.user, now=True)
    if version is None:
        ready = global_models.readiness(project)
        if ready.in_flight is not None:
            messages.info(request, f"{ready.in_flight} is already {ready.in_flight.status}.")
        else:
            messages.error(
                request,
                f"Training needs {ready.needed_individuals} individuals with two or more "
                f"confirmed images; this project has {ready.individuals}.",
            )
    else:
        messages.success(request, f"Training of {version} queued.")
    return redirect("matcher", project.slug)


@login_required
@require_POST
def matcher_deploy(request: AuthenticatedRequest, slug: str) -> HttpResponseBase:
    """Put a trained version in use, or the site's untouched model (`version` = "site")."""
    project = get_project_for_user(request, slug, Role.ADMIN)
    asked = request.POST.get("version", "")
    version = None
    if asked != "site":
        version = get_object_or_404(
            GlobalModelVersion, project=project, pk=int(asked) if asked.isdigit() else 0
        )
        if version.pk not in {v.pk for v in global_models.deployable(project)}:
            messages.error(request, f"{version} did not beat the model in use; it cannot be used.")
            return redirect("matcher", project.slug)
    global_models.deploy(project, version)
    name = str(version) if version else "the site's model"
    messages.success(
        request, f"Now using {name}. Global descriptors are being re-computed in the background."
    )
    return redirect("matcher", project.slug)
