"""What a detector found in a frame becomes the frame's objects and sightings; one place.

The detection stage (worker.tasks.detection), an uploaded MegaDetector file and the
`import_detections` command all store through `apply_detections`, so the rules live here:

- every animal at or above the project's threshold is its own sighting with its box; boxes
  stop at the camera's data strips, and one that lies wholly in a strip is dropped (a
  detector that "finds" the camera's logo);
- a frame with no animal, person or vehicle at or above the threshold is blank: kept, counted,
  exported as blank, never queued for review;
- persons and vehicles are kept as objects (exported as human / vehicle observations, persons
  blurred for non-admins) and never matched;
- sightings an expert has decided are never replaced: a new box over one of them is the same
  animal, and is not added again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from worker.pipeline.detection.base import ANIMAL, PERSON, Detection
from worker.pipeline.detection.datastrip import Strips

from ..models import Batch, Candidate, DetectedObject, Media, Project, Sighting, SightingFeatures

D = Media.Detection
# A box covering this much of the scene is the whole frame: stored as no box.
WHOLE_FRAME = 0.999
# A new animal box overlapping a decided sighting's box this much is that animal again.
SAME_ANIMAL_IOU = 0.5


@dataclass
class Outcome:
    """What applying one frame's detections did."""

    sightings: list[int] = field(default_factory=list)
    blank: bool = False
    persons: int = 0
    vehicles: int = 0


def backend_of(project: Project) -> str:
    """The backend a project's frames are detected with ("auto" resolved)."""
    if project.detector == "auto":
        return "megadetector" if settings.REIDSITE_DETECTOR_WEIGHTS else "motion"
    return project.detector


def strips_of(media: Media) -> Strips:
    return Strips(media.strip_top, media.strip_bottom)


def set_strips(media_ids: Sequence[int], strips: Strips) -> None:
    Media.objects.filter(pk__in=list(media_ids)).update(
        strip_top=strips.top, strip_bottom=strips.bottom
    )


def box_fields(bbox: Sequence[float] | None) -> dict[str, float | None]:
    """A sighting's box columns for an (x, y, w, h) box; None is the whole frame."""
    x, y, w, h = bbox if bbox is not None else (None, None, None, None)
    return {"bbox_x": x, "bbox_y": y, "bbox_width": w, "bbox_height": h}


def scene_box(bbox: Sequence[float], strips: Strips) -> tuple[float, float, float, float] | None:
    """The box cut at the data strips; None when nothing of it is scene. A box covering the
    whole scene is returned as the scene (a sighting stores it as no box only if the frame has
    no strips: then "whole frame" and "this box" are the same crop)."""
    return strips.clip(tuple(bbox))


def _stored_box(
    bbox: tuple[float, float, float, float], strips: Strips
) -> tuple[float, float, float, float] | None:
    x, y, w, h = bbox
    if not strips.found and x <= 1 - WHOLE_FRAME and y <= 1 - WHOLE_FRAME and w * h >= WHOLE_FRAME:
        return None
    return bbox


def _iou(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    return Detection(ANIMAL, 1.0, a).iou(Detection(ANIMAL, 1.0, b))  # type: ignore[arg-type]


def _box_of(sighting: Sighting) -> tuple[float, float, float, float]:
    return sighting.bbox or (0.0, 0.0, 1.0, 1.0)


def reset_pipeline(sighting_ids: Sequence[int]) -> None:
    """A sighting's box changed: its features and candidates no longer describe it."""
    SightingFeatures.objects.filter(sighting_id__in=list(sighting_ids)).delete()
    Candidate.objects.filter(sighting_id__in=list(sighting_ids)).delete()
    Sighting.objects.filter(pk__in=list(sighting_ids)).update(
        pipeline_status=Sighting.PipelineStatus.QUEUED,
        pipeline_error="",
        p_new=None,
        matched_at=None,
    )


@transaction.atomic
def apply_detections(
    media_id: int, detections: Sequence[Detection], detector: str, *, message: str = ""
) -> Outcome:
    """Store one frame's detections and make its sightings follow them (see the module)."""
    media = Media.objects.select_for_update().select_related("project").get(pk=media_id)
    project = media.project
    threshold = project.detection_threshold
    strips = strips_of(media)
    DetectedObject.objects.filter(media=media).delete()
    objects, animals = [], []
    for det in sorted(detections, key=lambda d: -d.conf):
        box = scene_box(det.bbox, strips)
        if box is None:
            continue
        obj = DetectedObject(media=media, category=det.category, conf=det.conf, **box_fields(box))
        objects.append(obj)
        if det.category == ANIMAL and det.conf >= threshold:
            animals.append(obj)
    DetectedObject.objects.bulk_create(objects)
    kept = [o for o in objects if o.conf >= threshold]
    outcome = Outcome(
        blank=not kept,
        persons=sum(o.category == PERSON for o in kept),
        vehicles=sum(o.category not in (ANIMAL, PERSON) for o in kept),
    )
    outcome.sightings = _follow(media, project, animals, strips)
    media.detection_status = D.DONE
    media.detector = detector[:200]
    media.detection_message = message[:300]
    media.is_blank = outcome.blank
    media.detected_at = timezone.now()
    media.save(
        update_fields=["detection_status", "detector", "detection_message", "is_blank",
                       "detected_at"]
    )  # fmt: skip
    return outcome


def _follow(
    media: Media, project: Project, animals: list[DetectedObject], strips: Strips
) -> list[int]:
    """Undecided sightings take the animal boxes (reused in order, surplus deleted); decided
    ones stay, and an animal box over one of them is not added again."""
    sightings = list(media.sightings.annotate(n_decisions=Count("decisions")).order_by("pk"))
    # Only a sighting nobody has acted on may be moved or deleted: even a skip is in the trail.
    untouched = [
        s
        for s in sightings
        if s.status == Sighting.Status.PENDING and s.version == 0 and not s.n_decisions
    ]
    decided = [s for s in sightings if s not in untouched]
    new_boxes = [
        a for a in animals if all(_iou(a.bbox, _box_of(s)) < SAME_ANIMAL_IOU for s in decided)
    ]
    result: list[int] = []
    sighting: Sighting  # an untouched one (annotated with n_decisions) or a new one
    for i, obj in enumerate(new_boxes):
        fields = box_fields(_stored_box(obj.bbox, strips))
        if i < len(untouched):
            sighting = untouched[i]
            changed = _box_of(sighting) != _box_of(Sighting(**fields))
            for name, value in fields.items():
                setattr(sighting, name, value)
            sighting.detection_conf = obj.conf
            sighting.save(update_fields=[*fields, "detection_conf"])
            if changed:
                reset_pipeline([sighting.pk])
        else:
            sighting = Sighting.objects.create(
                project=project, media=media, detection_conf=obj.conf, **fields
            )
        obj.sighting = sighting
        obj.save(update_fields=["sighting"])
        result.append(sighting.pk)
    surplus = [s.pk for s in untouched[len(new_boxes) :]]
    Sighting.objects.filter(pk__in=surplus).delete()
    return result + [s.pk for s in decided]


def mark_failed(media_id: int, message: str) -> None:
    """Detection could not run on the frame: it stays one whole-frame sighting, and says why."""
    Media.objects.filter(pk=media_id).update(
        detection_status=D.FAILED, detection_message=message[:300], detected_at=timezone.now()
    )


def persons_in(media: Media) -> list[DetectedObject]:
    """The persons at or above the project's threshold: blurred for non-admins."""
    return list(
        media.detected_objects.filter(category=PERSON, conf__gte=media.project.detection_threshold)
    )


def batch_detection_counts(batch: Batch) -> dict[str, int]:
    """Frames by detection outcome, for the batch report."""
    threshold = batch.project.detection_threshold
    media = Media.objects.filter(batch=batch)
    agg = media.aggregate(
        frames=Count("pk"),
        waiting=Count("pk", filter=Q(detection_status=D.PENDING)),
        failed=Count("pk", filter=Q(detection_status=D.FAILED)),
        blank=Count("pk", filter=Q(is_blank=True)),
    )
    objects = DetectedObject.objects.filter(media__batch=batch, conf__gte=threshold)
    agg.update(
        objects.aggregate(
            animals=Count("pk", filter=Q(category=ANIMAL)),
            persons=Count("pk", filter=Q(category=PERSON)),
            vehicles=Count("pk", filter=~Q(category__in=[ANIMAL, PERSON])),
        )
    )
    agg["with_persons"] = objects.filter(category=PERSON).values("media").distinct().count()
    return agg


def waiting_for_detection(batch: Batch) -> QuerySet[Media]:
    return Media.objects.filter(batch=batch, detection_status=D.PENDING)
