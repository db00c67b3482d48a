"""Experts and rangers correct what the detector boxed: move or resize a box, add an animal
the detector missed (also on a blank frame), remove a wrong box. Each change is a Decision
in the trail (previous box and state kept) and can be undone like any other; the changed
sighting is re-extracted and re-matched.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.auth.models import User
from django.db import transaction

from ..models import Decision, DetectedObject, Media, Sighting
from . import reid_hooks
from .decisions import _apply, _record, sighting_state
from .detections import box_fields, reset_pipeline

A = Decision.Action
S = Sighting.Status
# The smallest box, as a share of the frame's width or height: a click is not a box.
MIN_SIDE = 0.01

Box = tuple[float, float, float, float]


class BoxError(ValueError):
    """A box that cannot be stored; the message is meant for the user."""


def checked(bbox: Sequence[float]) -> Box:
    """A relative [x, y, w, h] box cut to the frame, or BoxError saying what is wrong."""
    try:
        x, y, w, h = (float(v) for v in bbox)
    except (TypeError, ValueError):
        raise BoxError("A box is four numbers: left, top, width, height.") from None
    if x >= 0 and y >= 0 and w >= MIN_SIDE and h >= MIN_SIDE and x + w <= 1 and y + h <= 1:
        return (x, y, w, h)  # as given: no rounding error on a box that is not cut
    x0, y0 = max(0.0, x), max(0.0, y)
    x1, y1 = min(1.0, x + w), min(1.0, y + h)
    if x1 - x0 < MIN_SIDE or y1 - y0 < MIN_SIDE:
        raise BoxError("The box is too small or outside the image.")
    return (x0, y0, x1 - x0, y1 - y0)


def from_pixels(media: Media, left: float, top: float, width: float, height: float) -> Box:
    return checked((left / media.width, top / media.height, width / media.width,
                    height / media.height))  # fmt: skip


def box_of(sighting: Sighting) -> list[float] | None:
    return None if sighting.bbox is None else list(sighting.bbox)


def _rematch(sighting: Sighting) -> None:
    """Features and candidates of the old box are gone: extract and match the new one. A
    gallery image's new crop changes the gallery, so that goes through the identity hook."""
    reset_pipeline([sighting.pk])
    if sighting.status == S.CONFIRMED:
        reid_hooks.identities_changed(sighting.project_id, [sighting.pk])
    elif sighting.status == S.PENDING:
        reid_hooks.sightings_changed([sighting.pk])


@transaction.atomic
def set_box(
    sighting: Sighting,
    bbox: Sequence[float],
    *,
    by: User | None,
    seen_version: int | None = None,
) -> Decision:
    """Move or resize the sighting's box."""
    box = checked(bbox)
    previous = {**sighting_state(sighting), "bbox": box_of(sighting)}
    version = _apply(sighting, seen_version, **box_fields(box), detection_conf=None)
    decision = _record(
        sighting.project_id, by, A.BOX, sighting=sighting, individual=sighting.individual,
        previous_state=previous, details={"bbox": list(box), "version_after": version},
    )  # fmt: skip
    _rematch(sighting)
    return decision


@transaction.atomic
def add_box(media: Media, bbox: Sequence[float], *, by: User | None) -> Decision:
    """Another animal in the frame (or the one a blank frame did hold): a new sighting."""
    box = checked(bbox)
    media = Media.objects.select_for_update().get(pk=media.pk)
    previous = {"is_blank": media.is_blank}
    sighting = Sighting.objects.create(project_id=media.project_id, media=media, **box_fields(box))
    if media.is_blank:
        Media.objects.filter(pk=media.pk).update(is_blank=False)
    decision = _record(
        media.project_id, by, A.ADD_BOX, sighting=sighting, previous_state=previous,
        details={"bbox": list(box), "version_after": sighting.version},
    )  # fmt: skip
    reid_hooks.sightings_changed([sighting.pk])
    return decision


def _still_holds_something(media_id: int, threshold: float) -> bool:
    live = Sighting.objects.filter(media_id=media_id).exclude(status=S.REMOVED)
    others = DetectedObject.objects.filter(media_id=media_id, conf__gte=threshold).exclude(
        category=DetectedObject.Category.ANIMAL
    )
    return live.exists() or others.exists()


@transaction.atomic
def remove_box(sighting: Sighting, *, by: User | None, seen_version: int | None = None) -> Decision:
    """A wrong box: the sighting leaves every queue, gallery and export; a frame left with
    nothing else in it is blank."""
    previous = {**sighting_state(sighting), "is_blank": sighting.media.is_blank}
    was_gallery = sighting.status == S.CONFIRMED
    version = _apply(sighting, seen_version, status=S.REMOVED, individual=None, decided_by=by)
    if not _still_holds_something(sighting.media_id, sighting.project.detection_threshold):
        Media.objects.filter(pk=sighting.media_id).update(is_blank=True)
    decision = _record(
        sighting.project_id, by, A.REMOVE_BOX, sighting=sighting, previous_state=previous,
        details={"bbox": box_of(sighting), "version_after": version},
    )  # fmt: skip
    if was_gallery:
        reid_hooks.identities_changed(sighting.project_id, [sighting.pk])
    return decision


def undo_box(decision: Decision, version: int) -> list[int]:
    """Restore what a box decision changed (undo.undo records it). Returns the
    sightings whose identity changed (for the gallery hook)."""
    sighting = decision.sighting
    assert sighting is not None  # a box decision is on a sighting (CASCADE)
    prev = decision.previous_state
    if decision.action == A.BOX:
        _apply(sighting, version, **box_fields(prev["bbox"]))
        _rematch(sighting)
        return []
    if decision.action == A.ADD_BOX:
        _apply(sighting, version, status=S.REMOVED)
        Media.objects.filter(pk=sighting.media_id).update(is_blank=prev["is_blank"])
        return []
    _apply(
        sighting, version, status=prev["status"], individual_id=prev["individual_id"],
        decided_by_id=prev["decided_by_id"],
    )  # fmt: skip
    Media.objects.filter(pk=sighting.media_id).update(is_blank=prev["is_blank"])
    return [sighting.pk] if prev["status"] == S.CONFIRMED else []
