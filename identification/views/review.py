"""The review queue and screen. Views coordinate; decisions live in services.decisions.

Every screen URL serves the full page, or with htmx the `review/_screen.html` fragment plus an
HX-Push-Url, so the next sighting loads in place. Without JavaScript the same forms POST and
redirect to the next sighting.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django_htmx.http import push_url

from ..forms.review import BoxForm, DecisionForm, posted_id
from ..models import Candidate, Decision, Individual, Project, Role, Sighting
from ..services import boxes, individual_search, tracks, undo
from ..services import decisions as svc
from ..services import review_queue as rq
from .access import AuthenticatedRequest, get_project_for_user
from .review_common import (
    filters_of,
    form_error,
    not_post,
    remember_skip,
    skipped_key,
    wants_fragment,
    with_qs,
)


def _screen(
    request: AuthenticatedRequest,
    project: Project,
    pk: int,
    filters: rq.QueueFilters,
    notice: tuple[str, str] | None = None,
) -> HttpResponse:
    """Render one sighting for review, claiming it when nobody else holds it."""
    sighting = get_object_or_404(
        Sighting.objects.select_related(
            "media__deployment", "media__batch", "individual", "decided_by", "claimed_by"
        ),
        project=project,
        pk=pk,
    )
    other = rq.claimed_by_other(sighting, request.user)
    track = rq.track_frames(sighting)
    in_track = {frame.media_id for frame in track}
    context = {
        "project": project,
        "sighting": sighting,
        "media": sighting.media,
        "burst": [m for m in rq.burst_of(sighting.media) if m.pk not in in_track],
        "track": track,
        "shown": rq.candidates_for(sighting),
        "counts": rq.counts(project, filters),
        "filters": filters,
        "qs": filters.querystring(),
        "claimed_by_other": other,
        "last_decision": undo.last_undoable(project, request.user),
        "notice": notice,
        "new_code": None,
        "box_px": _box_pixels(sighting),
        "calibration": rq.calibration_note(project),
    }
    url = with_qs(reverse("review_sighting", args=[project.slug, pk]), filters)
    if wants_fragment(request):
        response = push_url(render(request, "review/_screen.html", context), url)
    else:
        response = render(request, "review/screen.html", context)
    patch_vary_headers(response, ("HX-Request",))  # one URL, two representations
    return response


def _box_pixels(sighting: Sighting) -> tuple[int, int, int, int]:
    """The box in pixels of the displayed image (the whole frame when it has none)."""
    media = sighting.media
    box = sighting.crop_box(media.width, media.height) or (0, 0, media.width, media.height)
    return (box[0], box[1], box[2] - box[0], box[3] - box[1])


def _empty(
    request: AuthenticatedRequest, project: Project, filters: rq.QueueFilters
) -> HttpResponse:
    context = {
        "project": project,
        "counts": rq.counts(project, filters),
        "filters": filters,
        "qs": filters.querystring(),
        "skipped": len(request.session.get(skipped_key(project), [])),
        "last_decision": undo.last_undoable(project, request.user),
    }
    template = "review/_empty.html" if wants_fragment(request) else "review/empty.html"
    response = render(request, template, context)
    if wants_fragment(request):
        push_url(response, with_qs(reverse("review_next", args=[project.slug]), filters))
    return response


@login_required
def review_next(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    """The first sighting of the queue that nobody else holds and this expert did not skip."""
    project = get_project_for_user(request, slug, Role.EXPERT)
    filters = filters_of(request)
    key = skipped_key(project)
    if request.GET.get("reset"):
        request.session.pop(key, None)
    pk = rq.next_for(
        project, request.user, filters, exclude=request.session.get(key), claim_it=False
    )
    if pk is None:
        return _empty(request, project, filters)
    if wants_fragment(request):
        return _screen(request, project, pk, filters)
    return redirect(with_qs(reverse("review_sighting", args=[slug, pk]), filters))


@login_required
def review_sighting(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    project = get_project_for_user(request, slug, Role.EXPERT)
    return _screen(request, project, pk, filters_of(request))


@login_required
def review_claim(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    """Hold this sighting for a few minutes so other experts are served another one.

    The screen POSTs here when it loads (htmx); 204 when held, 409 when someone else holds it.
    """
    project = get_project_for_user(request, slug, Role.EXPERT)
    if refused := not_post(request):
        return refused
    sighting = get_object_or_404(Sighting, project=project, pk=pk)
    held = rq.claim_only(project, sighting, request.user)
    return HttpResponse(status=204 if held else 409)


@login_required
def review_decide(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    project = get_project_for_user(request, slug, Role.EXPERT)
    if refused := not_post(request):
        return refused
    filters = filters_of(request)
    sighting = get_object_or_404(Sighting.objects.select_related("project"), project=project, pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _after(request, project, pk, filters, ("error", form_error(form)), stay=True)
    data = form.cleaned_data
    action, seen = data["action"], data["version"]
    try:
        candidate = None
        if data.get("candidate"):
            candidate = (
                Candidate.objects.filter(sighting=sighting, pk=data["candidate"])
                .select_related("individual__merged_into")
                .first()
            )
            if candidate is None:
                raise svc.DecisionConflict(
                    "The candidates of this sighting were re-scored after you opened it. "
                    "Nothing was saved; here are the new ones."
                )
        if action == "confirm" and data.get("individual") and candidate is None:
            decision = _confirm_found(request, sighting, data)
            assert decision.individual is not None
            text = f"Sighting {pk} confirmed as {decision.individual.code} (found by search)."
        elif action == "confirm":
            decision = svc.confirm(
                sighting, by=request.user, candidate=candidate, seen_version=seen, note=data["note"]
            )
            assert decision.individual is not None  # a confirmation names its individual
            text = f"Sighting {pk} confirmed as {decision.individual.code}."
        elif action == "reject":
            assert candidate is not None  # the form requires a candidate to reject
            svc.reject_candidate(
                sighting, candidate, by=request.user, seen_version=seen, note=data["note"]
            )
            text = f"Rejected {candidate.individual.code} for sighting {pk}; it will not return."
            return _after(request, project, pk, filters, ("success", text), stay=True)
        elif action == "new":
            decision = svc.new_individual(
                sighting, by=request.user, name=data["name"], seen_version=seen, note=data["note"]
            )
            assert decision.individual is not None  # the new individual
            text = f"Sighting {pk} is a new individual, {decision.individual.code}."
        elif action == "discard":
            decision = svc.discard(sighting, by=request.user, seen_version=seen, note=data["note"])
            text = f"Sighting {pk} marked as no identifiable animal."
        else:
            decision = svc.skip(sighting, by=request.user)
            remember_skip(request, project, pk)
            text = f"Skipped sighting {pk}."
    except svc.DecisionError as error:
        return _after(request, project, pk, filters, ("error", str(error)), stay=True)
    if frames := len(decision.details.get("track_frames", [])):
        text += f" So are the {frames} other frames of its track."
    return _after(request, project, pk, filters, ("success", text), stay=False)


def _confirm_found(
    request: AuthenticatedRequest, sighting: Sighting, data: dict[str, Any]
) -> Decision:
    """Confirm an individual the expert searched for, with the candidate naming it if any."""
    individual = (
        Individual.objects.filter(project=sighting.project, pk=data["individual"])
        .select_related("merged_into")
        .first()
    )
    if individual is None:
        raise svc.DecisionError("That individual is not in this project.")
    survivor = individual.survivor
    candidate = svc.standing_candidate(sighting, survivor)
    return svc.confirm(
        sighting,
        survivor,
        by=request.user,
        candidate=candidate,
        seen_version=data["version"],
        note=data["note"],
        details={
            "found_by_search": True,
            "search": data["search"],
            "candidate_rank": candidate.rank if candidate else None,
        },
    )


@login_required
def review_individuals(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    """Individuals matching `q`, each with a button confirming this sighting as it.

    htmx (the search box, as the expert types): the results fragment. Without JavaScript the
    box is a GET form and this is a page of its own with the same buttons.
    """
    project = get_project_for_user(request, slug, Role.EXPERT)
    filters = filters_of(request)
    sighting = get_object_or_404(Sighting, project=project, pk=pk)
    q = request.GET.get("q", "")[:100]
    ranks = {
        c.individual.survivor.pk: c.rank
        for c in Candidate.objects.filter(sighting=sighting, rejected=False).select_related(
            "individual__merged_into"
        )
    }
    matches = [(m, ranks.get(m.individual.pk)) for m in individual_search.best_matches(project, q)]
    context = {
        "project": project,
        "sighting": sighting,
        "q": q,
        "matches": matches,
        "filters": filters,
        "qs": filters.querystring(),
    }
    if wants_fragment(request):
        response = render(request, "review/_search_results.html", context)
    else:
        response = render(request, "review/individual_search.html", context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@login_required
def review_untrack(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    """Split one frame (POST `frame`) off the track of the sighting under review."""
    project = get_project_for_user(request, slug, Role.EXPERT)
    if refused := not_post(request):
        return refused
    filters = filters_of(request)
    sighting = get_object_or_404(Sighting, project=project, pk=pk)
    frame_pk = posted_id(request.POST.get("frame", ""))
    # Only a frame of the track on screen: the expert saw what they split off.
    frame = (
        Sighting.objects.filter(project=project, pk=frame_pk, track_id=sighting.track_id).first()
        if frame_pk and sighting.track_id
        else None
    )
    if frame is None:
        text = "No such frame in this sighting's track."
        return _after(request, project, pk, filters, ("error", text), stay=True)
    try:
        tracks.split_off(frame, by=request.user)
    except svc.DecisionError as error:
        return _after(request, project, pk, filters, ("error", str(error)), stay=True)
    text = f"Sighting {frame.pk} split off the track; it is matched and reviewed on its own."
    return _after(request, project, pk, filters, ("success", text), stay=True)


@login_required
def review_box(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    """Save, add or remove a box of this sighting's frame; each is an undoable decision."""
    project = get_project_for_user(request, slug, Role.EXPERT)
    if refused := not_post(request):
        return refused
    filters = filters_of(request)
    sighting = get_object_or_404(
        Sighting.objects.select_related("project", "media"), project=project, pk=pk
    )
    form = BoxForm(request.POST)
    if not form.is_valid():
        return _after(request, project, pk, filters, ("error", form_error(form)), stay=True)
    action = form.cleaned_data["action"]
    try:
        if action == "remove":
            boxes.remove_box(sighting, by=request.user, seen_version=form.cleaned_data["version"])
            text = f"Removed the box of sighting {pk}: no animal there."
            return _after(request, project, pk, filters, ("success", text), stay=False)
        box = boxes.from_pixels(sighting.media, *form.pixels())
        if action == "add":
            added = boxes.add_box(sighting.media, box, by=request.user)
            text = f"Added sighting {added.sighting_id} in this frame; it is matched, then queued."
        else:
            boxes.set_box(sighting, box, by=request.user, seen_version=form.cleaned_data["version"])
            text = f"New box for sighting {pk}; it is being matched again."
    except (boxes.BoxError, svc.DecisionError) as error:
        return _after(request, project, pk, filters, ("error", str(error)), stay=True)
    return _after(request, project, pk, filters, ("success", text), stay=True)


def _after(
    request: AuthenticatedRequest,
    project: Project,
    pk: int,
    filters: rq.QueueFilters,
    notice: tuple[str, str],
    *,
    stay: bool,
) -> HttpResponse:
    """htmx: swap in this sighting again or the next one. Plain POST: message and redirect."""
    if wants_fragment(request):
        if stay:
            return _screen(request, project, pk, filters, notice)
        # The decided one is excluded too: under a status filter other than "pending" it
        # would still be first in the queue.
        skipped = request.session.get(skipped_key(project), [])
        next_pk = rq.next_for(project, request.user, filters, exclude=[*skipped, pk])
        if next_pk is None:
            messages.add_message(request, messages.SUCCESS, notice[1])
            return _empty(request, project, filters)
        return _screen(request, project, next_pk, filters, notice)
    level = messages.ERROR if notice[0] == "error" else messages.SUCCESS
    messages.add_message(request, level, notice[1])
    if stay:
        return redirect(with_qs(reverse("review_sighting", args=[project.slug, pk]), filters))
    # Still inside the POST: claim the next sighting here (the GET it redirects to only looks).
    skipped = request.session.get(skipped_key(project), [])
    next_pk = rq.next_for(project, request.user, filters, exclude=[*skipped, pk])
    if next_pk is None:
        return redirect(with_qs(reverse("review_next", args=[project.slug]), filters))
    return redirect(with_qs(reverse("review_sighting", args=[project.slug, next_pk]), filters))


@login_required
def review_undo(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    """Undo this expert's last decision here and show what it was about."""
    project = get_project_for_user(request, slug, Role.EXPERT)
    if refused := not_post(request):
        return refused
    filters = filters_of(request)
    try:
        record = undo.undo_last(project, by=request.user)
    except svc.DecisionError as error:
        # A sighting id that is not a number (or beyond any id) is ignored, not a 500.
        shown = posted_id(request.POST.get("sighting", ""))
        if wants_fragment(request) and shown is not None:
            return _screen(request, project, shown, filters, ("error", str(error)))
        messages.error(request, str(error))
        return redirect(with_qs(reverse("review_next", args=[slug]), filters))
    undone = record.reverts
    assert undone is not None  # an undo record always reverts a decision
    text = f"Undone: {undone.get_action_display().lower()}."
    if undone.action == Decision.Action.SKIP:
        # Back to the skipped sighting: the queue serves it to this expert again.
        key = skipped_key(project)
        request.session[key] = [
            pk for pk in request.session.get(key, []) if pk != undone.sighting_id
        ]
        text = f"Back to sighting {undone.sighting_id}, which you skipped."
    if undone.sighting_id is None:
        messages.success(request, text)
        target = undone.individual or record.individual
        url = target.get_absolute_url() if target else reverse("individual_list", args=[slug])
        if wants_fragment(request):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return redirect(url)
    if wants_fragment(request):
        return _screen(request, project, undone.sighting_id, filters, ("success", text))
    messages.success(request, text)
    return redirect(with_qs(reverse("review_sighting", args=[slug, undone.sighting_id]), filters))
