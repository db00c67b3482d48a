"""Undo: a reverting record that restores what a decision changed, exactly.

Only what nobody has built on is undone (`_still_as_left`); a decision on a track undoes the
decisions it applied to the track's other frames with it.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F, Q
from django.utils.dateparse import parse_datetime

from ..models import Candidate, Decision, Individual, Project, Sighting
from . import reid_hooks, tracks
from .decisions import (
    CHANGING,
    UNDOABLE,
    DecisionConflict,
    DecisionError,
    _apply,
    _identity_changed,
    _record,
)

A = Decision.Action


def last_undoable(project: Project, user: User | None) -> Decision | None:
    """This user's most recent decision in the project that changed something and stands."""
    return (
        Decision.objects.filter(project=project, user=user, action__in=UNDOABLE)
        .filter(reverted_by__isnull=True)
        .select_related("sighting", "individual")
        .order_by("-created_at", "-pk")
        .first()
    )


@transaction.atomic
def undo_last(project: Project, *, by: User | None) -> Decision:
    decision = last_undoable(project, by)
    if decision is None:
        raise DecisionError("Nothing to undo.")
    return undo(decision, by=by)


@transaction.atomic
def undo(decision: Decision, *, by: User | None) -> Decision:
    """Write a reverting record and restore `decision.previous_state` exactly."""
    if decision.action not in UNDOABLE:
        raise DecisionError("That action cannot be undone.")
    if Decision.objects.filter(reverts=decision).exists():
        raise DecisionError("That decision was already undone.")
    # A decision on a track: the same decision on its other frames goes first.
    for pk in decision.details.get("track_frames", []):
        frame = Decision.objects.filter(pk=pk, reverted_by__isnull=True).first()
        if frame is not None:
            undo(frame, by=by)
    prev = decision.previous_state
    changed: list[int] = []
    if decision.action in (A.CONFIRM, A.NEW, A.DISCARD):
        sighting = decision.sighting
        assert sighting is not None  # a decision on a sighting names it (CASCADE)
        _apply(
            sighting,
            _still_as_left(sighting, decision),
            status=prev["status"],
            individual_id=prev["individual_id"],
            decided_by_id=prev["decided_by_id"],
            decided_at=parse_datetime(prev["decided_at"]) if prev["decided_at"] else None,
        )
        changed = [sighting.pk]
    elif decision.action == A.REJECT:
        sighting = decision.sighting
        assert sighting is not None
        _apply(sighting, _still_as_left(sighting, decision))
        Candidate.objects.filter(sighting=sighting, individual_id=prev["individual_id"]).update(
            rejected=False
        )
    elif decision.action == A.MERGE:
        changed = _undo_merge(decision)
    elif decision.action == A.SPLIT:
        changed = prev["sighting_ids"]
        Sighting.objects.filter(pk__in=changed, individual=decision.individual_id).update(
            individual_id=prev["individual_id"], version=F("version") + 1
        )
    elif decision.action == A.RENAME and decision.individual_id is not None:
        # (An individual deleted since: nothing to rename back; filter(pk=None) matched none.)
        Individual.objects.filter(pk=decision.individual_id).update(name=prev["name"])
    elif decision.action == A.UNTRACK:
        sighting = decision.sighting
        assert sighting is not None
        _apply(sighting, _still_as_left(sighting, decision))
        frames = [sighting.pk, *prev["detached"]]
        reid_hooks.sightings_changed(
            tracks.restore_track(frames, prev["track_id"], sighting.project)
        )
    elif decision.action in (A.BOX, A.ADD_BOX, A.REMOVE_BOX):
        from . import boxes  # boxes records its decisions through this module

        sighting = decision.sighting
        assert sighting is not None
        changed = boxes.undo_box(decision, _still_as_left(sighting, decision))
    record = _record(
        decision.project_id,
        by,
        A.UNDO,
        sighting=decision.sighting,
        individual=decision.individual,
        candidate=decision.candidate,
        reverts=decision,
        details={"undid": decision.action},
    )
    if decision.action in (A.NEW, A.SPLIT):
        # After recording, so the undo record's FK is nulled with the rest, not dangling.
        _drop_if_unused(decision.details.get("created_individual"))
    if changed:
        _identity_changed(decision.project_id, changed)
    else:
        reid_hooks.decision_recorded(decision.project_id)
    return record


def _still_as_left(sighting: Sighting, decision: Decision) -> int:
    """Undo only what nobody has built on: no later decision on this sighting may stand.

    Returns the sighting's current version for the conditional UPDATE, which still refuses
    if someone decides between this check and the update.
    """
    later = (
        Decision.objects.filter(sighting=sighting, pk__gt=decision.pk, action__in=CHANGING)
        .filter(reverted_by__isnull=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if later is not None:
        who = later.user.username if later.user else "someone"
        raise DecisionConflict(
            f"Sighting {sighting.pk} was changed by {who} after your decision "
            f"({later.get_action_display().lower()}); nothing was undone."
        )
    sighting.refresh_from_db(fields=["version"])
    return sighting.version


def _undo_merge(decision: Decision) -> list[int]:
    prev = decision.previous_state
    source = Individual.objects.filter(pk=prev["source"]).first()
    if source is None or source.merged_into_id != decision.individual_id:
        raise DecisionConflict("The merged individual changed since; this merge cannot be undone.")
    survivor = decision.individual_id
    if (
        survivor is not None
        and Individual.objects.filter(pk=survivor, merged_into__isnull=False).exists()
    ):
        raise DecisionConflict("The survivor was merged again since; undo that merge first.")
    ids: list[int] = prev["sighting_ids"]
    Sighting.objects.filter(pk__in=ids, individual=decision.individual_id).update(
        individual=source, version=F("version") + 1
    )
    Individual.objects.filter(pk=source.pk).update(merged_into=None)
    Individual.objects.filter(pk__in=prev["aliases"]).update(merged_into=source)
    return ids


def _drop_if_unused(individual_id: int | None) -> None:
    """An individual created by an undone decision goes too, unless it is in use since."""
    if individual_id is None:
        return
    Individual.objects.filter(pk=individual_id).exclude(
        Q(sightings__isnull=False) | Q(merged_from__isnull=False)
    ).delete()
