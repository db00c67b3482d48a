"""Expert decisions: every action appends a Decision and keeps Sighting/Individual in sync.

The trail is the truth: a Decision records who, when, what was shown and the state before
(`previous_state`), so `undo` can write a reverting record and restore that state exactly.
Concurrent experts are kept apart by `Sighting.version`: a decision names the version its
expert saw and is applied with a conditional UPDATE; zero rows updated means someone else
decided first, and the caller gets a DecisionConflict naming them, never a silent overwrite.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from ..models import Candidate, Decision, Individual, Project, Sighting
from . import reid_hooks, tracks
from .review_queue import top_candidates

A = Decision.Action
# Actions that changed something and can therefore be undone (a skip changes nothing).
# Decisions that change state, which a later one on the same sighting builds on.
CHANGING = (
    A.CONFIRM, A.REJECT, A.NEW, A.DISCARD, A.MERGE, A.SPLIT, A.RENAME,
    A.BOX, A.ADD_BOX, A.REMOVE_BOX, A.UNTRACK,
)  # fmt: skip
# A skip changes nothing, but `u` right after one means "back to that sighting", not "undo
# the decision before it": undoing it is recorded and restores nothing.
UNDOABLE = (*CHANGING, A.SKIP)
CODE_ATTEMPTS = 5


class DecisionError(Exception):
    """A decision that cannot be applied; the message is meant for the expert."""


class DecisionConflict(DecisionError):
    """Someone else changed the sighting after this expert loaded it."""


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def sighting_state(sighting: Sighting) -> dict[str, Any]:
    """The identity fields a decision changes, as stored in `previous_state`."""
    return {
        "status": sighting.status,
        "individual_id": sighting.individual_id,
        "decided_by_id": sighting.decided_by_id,
        "decided_at": _iso(sighting.decided_at),
    }


def shown_snapshot(sighting: Sighting) -> dict[str, Any]:
    """What the review screen showed: the top candidates, P(new), threshold, model versions.

    The same selection as the screen (`review_queue.top_candidates`): after a merge, the
    survivor the expert saw, not the individual the matcher ranked.
    """
    return snapshot(sighting, top_candidates(sighting), sighting.project.new_individual_threshold)


def snapshot(sighting: Sighting, candidates: list[Candidate], threshold: float) -> dict[str, Any]:
    """The `shown` record of a decision on `sighting` whose screen showed these candidates."""
    return {
        "p_new": sighting.p_new,
        "threshold": threshold,
        "candidates": [
            {
                "candidate": c.pk,
                "individual": c.individual.survivor.pk,
                "code": c.individual.survivor.code,
                "rank": c.rank,
                "fused": c.fused,
                "scores": c.scores,
            }
            for c in candidates
        ],
        "model_versions": candidates[0].model_versions if candidates else {},
    }


def create_individual(project: Project, *, name: str = "", by: User | None) -> Individual:
    """A new individual with the project's next free code, safe against a concurrent one.

    The project row is locked for the rest of the transaction, so two experts creating
    individuals at once take turns (PostgreSQL); should a code still be taken between reading
    and inserting (another writer outside this lock), the insert retries with the next code
    inside a savepoint instead of failing the decision.
    """
    Project.objects.select_for_update().filter(pk=project.pk).first()
    for _ in range(CODE_ATTEMPTS):
        try:
            with transaction.atomic():
                return Individual.objects.create(
                    project=project,
                    code=project.next_individual_code(),
                    name=name.strip(),
                    created_by=by,
                )
        except IntegrityError:
            continue
    raise DecisionError("Could not find a free individual code; please try again.")


def _conflict(sighting_pk: int) -> DecisionConflict:
    current = Sighting.objects.select_related("decided_by", "individual").get(pk=sighting_pk)
    if current.decided_by_id and current.decided_at:
        who = current.decided_by.username if current.decided_by else "someone"
        what = (
            f"as {current.individual.code}"
            if current.individual
            else current.get_status_display().lower()
        )
        return DecisionConflict(
            f"Sighting {sighting_pk} was decided by {who} at "
            f"{timezone.localtime(current.decided_at):%H:%M:%S} ({what}) after you opened it. "
            "Your decision was not saved; check theirs below."
        )
    return DecisionConflict(
        f"Sighting {sighting_pk} changed after you opened it. Your decision was not saved."
    )


def _apply(sighting: Sighting, seen_version: int | None, **fields: Any) -> int:
    """Conditional UPDATE of the sighting; returns its new version or raises DecisionConflict."""
    seen = sighting.version if seen_version is None else seen_version
    updated = Sighting.objects.filter(pk=sighting.pk, version=seen).update(
        version=F("version") + 1, claimed_by=None, claimed_until=None, **fields
    )
    if not updated:
        raise _conflict(sighting.pk)
    for name, value in fields.items():
        setattr(sighting, name, value)
    sighting.version = seen + 1
    sighting.claimed_by, sighting.claimed_until = None, None
    return sighting.version


def _record(project_id: int, by: User | None, action: str, **fields: Any) -> Decision:
    return Decision.objects.create(project_id=project_id, user=by, action=action, **fields)


def _identity_changed(project_id: int, sighting_ids: Iterable[int]) -> None:
    reid_hooks.identities_changed(project_id, sighting_ids)
    reid_hooks.decision_recorded(project_id)


def record_decision(
    sighting: Sighting,
    action: str,
    *,
    by: User | None,
    individual: Individual | None,
    status: str,
    seen_version: int | None = None,
    candidate: Candidate | None = None,
    note: str = "",
    details: dict[str, Any] | None = None,
    decided_at: datetime | None = None,
) -> Decision:
    """Apply a decision to the sighting (conditional on its version) and append its record,
    without telling the pipeline: imports that decide many sightings queue one update."""
    previous = sighting_state(sighting)
    shown = shown_snapshot(sighting)
    version = _apply(
        sighting,
        seen_version,
        status=status,
        individual=individual,
        decided_by=by,
        decided_at=decided_at or timezone.now(),
    )
    return _record(
        sighting.project_id,
        by,
        action,
        sighting=sighting,
        individual=individual,
        candidate=candidate,
        previous_state=previous,
        shown=shown,
        note=note,
        details={**(details or {}), "version_after": version},
    )


def _decide(sighting: Sighting, action: str, **fields: Any) -> Decision:
    """Record the decision, and the same on every pending frame of the sighting's track:
    theirs first, so this one, naming them, is the expert's last and `u` undoes them all."""
    frames = tracks.followers(sighting)
    done = []
    for frame in frames:
        candidate = standing_candidate(frame, fields.get("individual"))
        done.append(
            record_decision(
                frame,
                A.CONFIRM if action == A.NEW else action,
                **{
                    **fields,
                    "seen_version": None,
                    "candidate": candidate,
                    "details": {"track": sighting.track_id, "track_lead": sighting.pk},
                },
            )
        )
    if done:
        details = {"track": sighting.track_id, "track_frames": [d.pk for d in done]}
        fields["details"] = {**(fields.get("details") or {}), **details}
    decision = record_decision(sighting, action, **fields)
    _identity_changed(sighting.project_id, [sighting.pk, *(f.pk for f in frames)])
    return decision


def standing_candidate(sighting: Sighting, individual: Individual | None) -> Candidate | None:
    """The sighting's standing candidate for this individual (or one merged into it)."""
    if individual is None:
        return None
    return (
        Candidate.objects.filter(sighting=sighting, rejected=False)
        .filter(Q(individual=individual) | Q(individual__merged_into=individual))
        .order_by("rank")
        .first()
    )


@transaction.atomic
def confirm(
    sighting: Sighting,
    individual: Individual | None = None,
    *,
    by: User | None,
    candidate: Candidate | None = None,
    seen_version: int | None = None,
    note: str = "",
    details: dict[str, Any] | None = None,
) -> Decision:
    """The sighting is this individual (or the candidate's individual).

    `details` says how the expert got there beyond the shown candidates (a search).
    """
    if candidate is not None:
        if candidate.sighting_id != sighting.pk:
            raise DecisionError("That candidate belongs to another sighting.")
        if candidate.rejected:
            raise DecisionError("That candidate was rejected; it cannot be confirmed.")
        individual = individual or candidate.individual
    if individual is None or individual.project_id != sighting.project_id:
        raise DecisionError("Choose an individual of this project.")
    # A candidate may point at an individual merged away since matching.
    individual = individual.survivor
    return _decide(
        sighting,
        A.CONFIRM,
        by=by,
        individual=individual,
        status=Sighting.Status.CONFIRMED,
        seen_version=seen_version,
        candidate=candidate,
        note=note,
        details=details,
    )


@transaction.atomic
def new_individual(
    sighting: Sighting,
    *,
    by: User | None,
    name: str = "",
    seen_version: int | None = None,
    note: str = "",
) -> Decision:
    """The sighting is an individual not in the catalogue yet: create it with the next code."""
    individual = create_individual(sighting.project, name=name, by=by)
    return _decide(
        sighting,
        A.NEW,
        by=by,
        individual=individual,
        status=Sighting.Status.CONFIRMED,
        seen_version=seen_version,
        note=note,
        details={"created_individual": individual.pk, "code": individual.code},
    )


@transaction.atomic
def discard(
    sighting: Sighting, *, by: User | None, seen_version: int | None = None, note: str = ""
) -> Decision:
    """No identifiable animal in this sighting."""
    return _decide(
        sighting,
        A.DISCARD,
        by=by,
        individual=None,
        status=Sighting.Status.REJECTED,
        seen_version=seen_version,
        note=note,
    )


@transaction.atomic
def reject_candidate(
    sighting: Sighting,
    candidate: Candidate,
    *,
    by: User | None,
    seen_version: int | None = None,
    note: str = "",
) -> Decision:
    """Not this individual: a negative pair. The pipeline keeps it rejected when re-ranking."""
    if candidate.sighting_id != sighting.pk:
        raise DecisionError("That candidate belongs to another sighting.")
    if candidate.rejected:
        raise DecisionError("That candidate is already rejected.")
    # The same individual is ruled out on the track's other frames, theirs recorded first.
    done = []
    for frame in tracks.followers(sighting):
        theirs = standing_candidate(frame, candidate.individual.survivor)
        if theirs is not None:
            lead: dict[str, Any] = {"track": sighting.track_id, "track_lead": sighting.pk}
            done.append(_reject_one(frame, theirs, by, None, note, lead))
    details: dict[str, Any] = (
        {"track": sighting.track_id, "track_frames": [d.pk for d in done]} if done else {}
    )
    decision = _reject_one(sighting, candidate, by, seen_version, note, details)
    reid_hooks.decision_recorded(sighting.project_id)
    return decision


def _reject_one(
    sighting: Sighting,
    candidate: Candidate,
    by: User | None,
    seen_version: int | None,
    note: str,
    details: dict[str, Any],
) -> Decision:
    shown = shown_snapshot(sighting)
    # Bumping the version makes a concurrent confirm of this candidate a conflict.
    version = _apply(sighting, seen_version)
    Candidate.objects.filter(pk=candidate.pk).update(rejected=True)
    candidate.rejected = True
    return _record(
        sighting.project_id,
        by,
        A.REJECT,
        sighting=sighting,
        candidate=candidate,
        individual=candidate.individual,
        previous_state={"individual_id": candidate.individual_id, "rejected": False},
        shown=shown,
        note=note,
        details={**details, "version_after": version},
    )


def skip(sighting: Sighting, *, by: User | None) -> Decision:
    """Not now: releases this expert's claim; nothing else changes."""
    Sighting.objects.filter(pk=sighting.pk, claimed_by=by).update(
        claimed_by=None, claimed_until=None
    )
    return _record(sighting.project_id, by, A.SKIP, sighting=sighting)


@transaction.atomic
def rename(individual: Individual, name: str, *, by: User | None) -> Decision:
    previous = {"name": individual.name}
    individual.name = name.strip()
    individual.save(update_fields=["name"])
    return _record(
        individual.project_id,
        by,
        A.RENAME,
        individual=individual,
        previous_state=previous,
        details={"name": individual.name},
    )


@transaction.atomic
def merge(source: Individual, target: Individual, *, by: User | None, note: str = "") -> Decision:
    """All of `source` becomes `target`; `source` keeps its code (searchable) and points there."""
    if source.pk == target.pk or source.project_id != target.project_id:
        raise DecisionError("Merge two different individuals of one project.")
    if source.merged_into_id or target.merged_into_id:
        raise DecisionError("One of these individuals was already merged away.")
    sighting_ids = list(source.sightings.values_list("pk", flat=True))
    # Keep merged_into one level deep: what was merged into source now points at target.
    aliases = list(source.merged_from.values_list("pk", flat=True))
    Sighting.objects.filter(pk__in=sighting_ids).update(individual=target, version=F("version") + 1)
    Individual.objects.filter(pk__in=aliases).update(merged_into=target)
    Individual.objects.filter(pk=source.pk).update(merged_into=target)
    source.merged_into = target
    decision = _record(
        source.project_id,
        by,
        A.MERGE,
        individual=target,
        previous_state={"source": source.pk, "sighting_ids": sighting_ids, "aliases": aliases},
        details={"source_code": source.code, "target_code": target.code},
        note=note,
    )
    _identity_changed(source.project_id, sighting_ids)
    return decision


@transaction.atomic
def split(
    individual: Individual,
    sightings: Iterable[Sighting],
    *,
    by: User | None,
    into: Individual | None = None,
    name: str = "",
) -> Decision:
    """Move the chosen sightings of `individual` to `into`, or to a new individual."""
    sighting_ids = [s.pk for s in sightings if s.individual_id == individual.pk]
    if not sighting_ids:
        raise DecisionError("Choose at least one sighting of this individual.")
    created = into is None
    if into is None:
        into = create_individual(individual.project, name=name, by=by)
    elif into.project_id != individual.project_id or into.pk == individual.pk:
        raise DecisionError("Split into another individual of this project.")
    into = into.survivor
    Sighting.objects.filter(pk__in=sighting_ids).update(individual=into, version=F("version") + 1)
    decision = _record(
        individual.project_id,
        by,
        A.SPLIT,
        individual=into,
        previous_state={"individual_id": individual.pk, "sighting_ids": sighting_ids},
        details={"created_individual": into.pk if created else None, "code": into.code},
    )
    _identity_changed(individual.project_id, sighting_ids)
    return decision


def record_untrack(
    sighting: Sighting, *, by: User | None, track_id: int, detached: list[int]
) -> Decision:
    """A frame split off its track (services.tracks): recorded and undoable."""
    _apply(sighting, None)  # a decision seen with the track is now stale
    decision = _record(
        sighting.project_id,
        by,
        A.UNTRACK,
        sighting=sighting,
        previous_state={"track_id": track_id, "detached": detached},
    )
    return decision
