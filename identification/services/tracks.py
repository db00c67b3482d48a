"""Tracks: the sightings of one animal over consecutive frames of an event, decided as one.

Linking (worker.pipeline.tracks.link) runs when a batch's boxes are known (detection done or
imported) over the events its frames belong to. Only sightings nobody has acted on are
(re)linked: a decided sighting keeps its track, and one an expert split off stays alone.
The queue serves a track once, through its lead (the first of its members still in the
status the queue lists); a decision on the lead applies to every pending member
(services.decisions), each recorded, and one undo restores them all.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from worker.pipeline import tracks as linking
from worker.pipeline.config import PipelineConfig

from ..models import Batch, Decision, Event, Media, Project, Sighting, Track
from . import reid_hooks


def _min_iou(project: Project) -> float:
    return PipelineConfig.from_dict(project.reid_config).track_min_iou


def link_batch(batch: Batch) -> int:
    """(Re)link the events of the batch's frames; returns how many tracks they now have."""
    event_ids = (
        Media.objects.filter(batch=batch, event__isnull=False)
        .values_list("event_id", flat=True)
        .distinct()
    )
    return sum(link_event(event) for event in Event.objects.filter(pk__in=list(event_ids)))


@transaction.atomic
def link_event(event: Event) -> int:
    """Tracks of 2+ frames among the event's sightings; returns how many the event has."""
    Event.objects.select_for_update().filter(pk=event.pk).first()
    sightings = list(
        Sighting.objects.filter(media__event=event)
        .annotate(n_decisions=Count("decisions"))
        .order_by("media__taken_at", "media_id", "pk")
    )
    free = [
        s
        for s in sightings
        if s.status == Sighting.Status.PENDING and s.version == 0 and not s.n_decisions
    ]
    frames: dict[int, list[tuple[int, linking.Box | None]]] = {}
    for s in free:
        frames.setdefault(s.media_id, []).append((s.pk, s.bbox))
    groups = linking.link(list(frames.values()), _min_iou(event.project))
    Sighting.objects.filter(pk__in=[s.pk for s in free]).update(track=None)
    for members in groups:
        if len(members) > 1:
            track = Track.objects.create(project_id=event.project_id, event=event)
            Sighting.objects.filter(pk__in=members).update(track=track)
    Track.objects.filter(event=event, sightings__isnull=True).delete()
    return Track.objects.filter(event=event).count()


def members(sighting: Sighting) -> QuerySet[Sighting]:
    """The sightings of this one's track (itself included) in time order; itself if none."""
    if sighting.track_id is None:
        return Sighting.objects.filter(pk=sighting.pk)
    return Sighting.objects.filter(track_id=sighting.track_id).order_by(
        "media__taken_at", "media_id", "pk"
    )


def followers(sighting: Sighting) -> list[Sighting]:
    """The other members a decision on this sighting applies to: those still pending."""
    if sighting.track_id is None or sighting.status != Sighting.Status.PENDING:
        return []
    return list(
        members(sighting)
        .filter(status=Sighting.Status.PENDING)
        .exclude(pk=sighting.pk)
        .select_related("project")
    )


def leads_only(qs: QuerySet[Sighting]) -> QuerySet[Sighting]:
    """One sighting per track: the first member in the same status (untracked ones all)."""
    lead = (
        Sighting.objects.filter(track=OuterRef("track"), status=OuterRef("status"))
        .order_by("pk")
        .values("pk")[:1]
    )
    return qs.filter(Q(track__isnull=True) | Q(pk=Subquery(lead)))


@transaction.atomic
def split_off(sighting: Sighting, *, by: User | None) -> Decision:
    """Take a frame out of its track: it is reviewed (and matched) on its own from now on."""
    from . import decisions  # decisions applies track decisions through this module

    if sighting.track_id is None:
        raise decisions.DecisionError(f"Sighting {sighting.pk} is not part of a track.")
    track_id = sighting.track_id
    Sighting.objects.filter(pk=sighting.pk).update(track=None)
    sighting.track_id = None
    left = list(Sighting.objects.filter(track_id=track_id).values_list("pk", flat=True))
    # A track of one is no track; the frames that stay re-match as a track without this one.
    detached = left if len(left) == 1 else []
    Sighting.objects.filter(pk__in=detached).update(track=None)
    decision = decisions.record_untrack(sighting, by=by, track_id=track_id, detached=detached)
    reid_hooks.sightings_changed([sighting.pk, *left])
    return decision


@transaction.atomic
def detach(sighting_ids: list[int]) -> None:
    """Frames the matcher found unlike the rest of their track leave it (not a decision:
    the linking was wrong); a track left with one frame is dissolved."""
    track_ids = set(
        Sighting.objects.filter(pk__in=sighting_ids, track__isnull=False).values_list(
            "track_id", flat=True
        )
    )
    Sighting.objects.filter(pk__in=sighting_ids).update(track=None)
    lonely = (
        Sighting.objects.filter(track_id__in=track_ids)
        .values("track_id")
        .annotate(n=Count("pk"))
        .filter(n=1)
        .values_list("track_id", flat=True)
    )
    Sighting.objects.filter(track_id__in=list(lonely)).update(track=None)


def restore_track(sighting_ids: Iterable[int], track_id: int, project: Project) -> list[int]:
    """Undo of a split: the frames return to their track (made again if it was dropped).
    Returns the track's members, to be matched again as one."""
    track, _ = Track.objects.get_or_create(pk=track_id, defaults={"project": project})
    Sighting.objects.filter(pk__in=list(sighting_ids)).update(track=track)
    return list(Sighting.objects.filter(track=track).values_list("pk", flat=True))
