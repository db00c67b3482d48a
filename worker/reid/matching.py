"""Matching sightings against their project's gallery, in full or incrementally.

Full matching shortlists the whole gallery; the incremental path, used when experts add a few
images to the gallery, scores pending sightings against those new images only and folds the
scores into the stored candidates (best image per individual), so a confirmation reaches the
next sightings in seconds instead of a full recompute.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Collection, Sequence

from django.db.models import Prefetch, QuerySet

from identification.models import Candidate, Project, Sighting
from identification.services import pipeline_results, review_queue
from identification.services import tracks as track_services
from identification.services.review_queue import SHOWN_CANDIDATES, QueueFilters
from worker.pipeline import tracks
from worker.pipeline.config import PipelineConfig
from worker.pipeline.features import Features, get_extractor
from worker.pipeline.fusion import ImageScore, IndividualScore, WildFusion, merge_candidates
from worker.pipeline.gallery import Gallery
from worker.reid import store
from worker.reid.calibration import project_calibrations

log = logging.getLogger(__name__)

# The shown candidates, plus room for the rejected ones the screen leaves out.
TOP_N = SHOWN_CANDIDATES
# Past this many new gallery images, re-matching pending sightings in full is cheaper than
# scoring each of them against every new image.
INCREMENTAL_MAX_NEW = 20
# Each new gallery image re-scores at most this many pending sightings: those its own
# global + keypoint-voting shortlist finds among them.
INCREMENTAL_PENDING_K = 50


def _fusion(project: Project, config: PipelineConfig) -> WildFusion:
    extractor = get_extractor(config)
    # Candidates say which of the project's fine-tuned models ranked them ("site": none).
    version = project.global_model
    versions = {**extractor.model_versions, "project_model": version.label if version else "site"}
    return WildFusion(config, project_calibrations(project), model_versions=versions)


def _pending_with_features(
    project: Project, key: str, ids: Collection[int] | None = None
) -> QuerySet[Sighting]:
    qs = project.sightings.filter(
        status=Sighting.Status.PENDING,
        features__config_key=key,
    ).exclude(pipeline_status=Sighting.PipelineStatus.FAILED)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.select_related("features", "media").order_by("pk")


def _rejected_labels(sighting: Sighting) -> set[str]:
    return {str(c.individual_id) for c in sighting.candidates.all() if c.rejected}


def match_sightings(project: Project, sighting_ids: list[int], config: PipelineConfig) -> None:
    """Rank the gallery's individuals for each pending sighting and store the candidates.

    A sighting of a track is matched with the rest of its track, as one multi-image query.
    """
    key = config.config_key()
    cached = store.gallery_for(project, config)
    fusion = _fusion(project, config)
    pending = list(
        _pending_with_features(project, key, sighting_ids).prefetch_related("candidates")
    )
    by_track, decoded = _whole_tracks(project, key, pending, config)
    for sighting in pending:
        if sighting.track_id is None:
            query = decoded[sighting.pk] if sighting.pk in decoded else _features(sighting)
            _store(sighting, [_rank(fusion, cached, sighting, query)], 0, fusion, cached, config)
    for frames in by_track.values():
        rankings = [_rank(fusion, cached, s, decoded[s.pk], every=True) for s in frames]
        for i, sighting in enumerate(frames):
            _store(sighting, rankings, i, fusion, cached, config)


def _features(sighting: Sighting) -> Features:
    return Features.from_bytes(bytes(sighting.features.data))


def _rank(
    fusion: WildFusion,
    cached: store._CachedGallery,
    sighting: Sighting,
    query: Features,
    every: bool = False,
) -> list:
    """The sighting's candidates, best first: the top few, or with `every` all those its
    shortlist scored (a track's frames: a mean over frames must not count an individual a
    frame ranked sixth as 0; scoring them costs nothing more, only storing is cut)."""
    if not len(cached.gallery):
        return []
    top_n = len(cached.gallery) if every else TOP_N + len(_rejected_labels(sighting))
    return fusion.rank(query, cached.gallery, top_n=top_n).candidates


def _store(
    sighting: Sighting,
    rankings: list[list[IndividualScore]],
    frame: int,
    fusion: WildFusion,
    cached: store._CachedGallery,
    config: PipelineConfig,
) -> None:
    """Store one frame's candidates: its own ranking, or its track's combined over frames."""
    rejected = _rejected_labels(sighting)
    how: tracks.How = "mean" if config.track_scoring == "mean" else "max"
    if len(rankings) == 1:
        candidates = rankings[0]
    else:
        combined = tracks.combine(rankings, how)
        candidates = tracks.for_frame(combined, rankings, frame, how, TOP_N + len(rejected))
    store.store_candidates(
        sighting,
        candidates,
        _p_new(candidates, rejected),
        fusion.versions,
        store.query_offset(sighting),
        cached.offsets,
    )


def _whole_tracks(
    project: Project, key: str, pending: list[Sighting], config: PipelineConfig
) -> tuple[dict[int, list[Sighting]], dict[int, Features]]:
    """The pending frames with features of every track among `pending`, in time order, and
    those frames' decoded features (read once, for the appearance check and the ranking).

    A frame unlike the rest of its track (two animals crossing) leaves it first and is
    matched alone, as are the frames of a track left with one.
    """
    ids = {s.track_id for s in pending if s.track_id is not None}
    if not ids:
        return {}, {}
    # Frames queued in another chunk (or not at all) are extracted now: the track needs them.
    mates = project.sightings.filter(track_id__in=ids, status=Sighting.Status.PENDING)
    store.extract_missing(list(mates.values_list("pk", flat=True)), config)
    members = list(
        _pending_with_features(project, key)
        .filter(track_id__in=ids)
        .prefetch_related("candidates")
        .order_by("media__taken_at", "media_id", "pk")
    )
    decoded = {s.pk: _features(s) for s in members}
    by_track: dict[int, list[Sighting]] = {}
    for s in members:
        by_track.setdefault(s.track_id, []).append(s)  # type: ignore[arg-type]
    alone: set[int] = set()
    for track_id, frames in list(by_track.items()):
        odd = set(_unlike(frames, decoded, config))
        if odd:
            track_services.detach(sorted(odd))
        frames = [s for s in frames if s.pk not in odd]
        alone |= odd | ({frames[0].pk} if len(frames) == 1 else set())
        if len(frames) < 2:
            del by_track[track_id]
        else:
            by_track[track_id] = frames
    # Matched alone below: with their own ranking, as untracked sightings.
    known = {s.pk for s in pending}
    pending.extend(s for s in members if s.pk in alone and s.pk not in known)
    for s in pending:
        if s.pk in alone:
            s.track_id = None
    return by_track, decoded


def _unlike(
    frames: list[Sighting], decoded: dict[int, Features], config: PipelineConfig
) -> list[int]:
    name = config.global_models[0].name if config.global_models else None
    if name is None or len(frames) < 2:
        return []
    embeddings = {}
    for s in frames:
        vector = decoded[s.pk].globals.get(name)
        if vector is not None:
            embeddings[s.pk] = vector
    return tracks.outliers(embeddings, config.track_min_cosine)


def _p_new(candidates: list[IndividualScore], rejected: set[str]) -> float:
    return pipeline_results.p_new_of(c.score for c in candidates if c.label not in rejected)


def rescore_pending(project: Project, changed_ids: set[int], config: PipelineConfig) -> None:
    """After identities changed, update the pending sightings' candidates."""
    key = config.config_key()
    cached = store.gallery_for(project, config)
    added = [i for i in changed_ids if i in cached.gallery]
    candidates_qs = Candidate.objects.order_by("rank")
    pending = list(
        _pending_with_features(project, key).prefetch_related(
            Prefetch("candidates", queryset=candidates_qs)
        )
    )
    if not pending:
        return
    # A pending sighting whose candidates point at a changed gallery image (moved to another
    # individual, merged, un-confirmed) cannot be patched: it is re-matched in full.
    stale = [
        s.pk
        for s in pending
        if any(c.gallery_sighting_id in changed_ids for c in s.candidates.all())
    ]
    if len(added) > INCREMENTAL_MAX_NEW:
        match_sightings(project, [s.pk for s in pending], config)
        return
    if stale:
        match_sightings(project, stale, config)
    stale_set = set(stale)
    fresh = [s for s in pending if s.pk not in stale_set]
    if not added or not fresh:
        return
    fusion = _fusion(project, config)
    # Which pending sightings could each new image matter to? The same two shortlists, run
    # the other way round: the pending sightings form a temporary gallery.
    queries = Gallery(config)
    query_features = {s.pk: _features(s) for s in fresh}
    queries.add(list(query_features), [str(pk) for pk in query_features], query_features.values())
    # Which new images each pending sighting is scored against: those whose shortlist found it.
    against: dict[int, list[int]] = {}
    for gallery_id in added:
        for pk in queries.shortlist(cached.gallery.features(gallery_id), INCREMENTAL_PENDING_K):
            against.setdefault(pk, []).append(gallery_id)
    # Scored and stored a unit at a time (a sighting, or a track's frames together) in the
    # order the review queue serves them: the sightings an expert opens next are ready first.
    ordered = _in_queue_order(project, [s for s in fresh if s.pk in against or s.track_id])
    units: dict[tuple[str, int], list[Sighting]] = {}
    for s in ordered:
        units.setdefault(("track", s.track_id) if s.track_id else ("one", s.pk), []).append(s)
    for unit in units.values():
        if not any(s.pk in against for s in unit):
            continue
        if len(unit) > 1 and config.track_scoring != "max":
            # A mean over frames cannot be patched: the track is matched again.
            match_sightings(project, [s.pk for s in unit], config)
            continue
        new_scores = {
            s.pk: fusion.score_images(
                query_features[s.pk],
                [(g, cached.gallery.label(g), cached.gallery.features(g)) for g in against[s.pk]],
            )
            for s in unit
            if s.pk in against
        }
        _share_within_tracks(unit, new_scores)
        for sighting in unit:
            if sighting.pk in new_scores:
                _patch(sighting, new_scores[sighting.pk], fusion, cached)


def _patch(
    sighting: Sighting,
    new: Sequence[ImageScore | IndividualScore],
    fusion: WildFusion,
    cached: store._CachedGallery,
) -> None:
    """Fold new image scores into the sighting's stored candidates (best image per individual)."""
    existing = [
        IndividualScore(
            label=str(c.individual_id),
            score=c.fused,
            gallery_id=c.gallery_sighting_id,
            scores=c.scores,
            correspondences=_to_crop(c.correspondences, sighting, c, cached),
        )
        for c in sighting.candidates.all()
    ]
    rejected = _rejected_labels(sighting)
    merged = merge_candidates(existing, new)[: TOP_N + len(rejected)]
    store.store_candidates(
        sighting,
        merged,
        _p_new(merged, rejected),
        fusion.versions,
        store.query_offset(sighting),
        cached.offsets,
    )


def _in_queue_order(project: Project, sightings: list[Sighting]) -> list[Sighting]:
    """The sightings in the review queue's default order: a track's frames at the place of the
    track (the queue lists its lead), those the queue does not list (awaiting detection) last."""
    listed = review_queue.queue(project, QueueFilters()).values_list("pk", "track_id")
    place: dict[tuple[str, int], int] = {}
    for i, (pk, track_id) in enumerate(listed):
        place[("sighting", pk)] = i
        if track_id is not None:
            place.setdefault(("track", track_id), i)

    def key(s: Sighting) -> tuple[int, int]:
        where = ("track", s.track_id) if s.track_id is not None else ("sighting", s.pk)
        return (place.get(where, len(place)), s.pk)

    return sorted(sightings, key=key)


def _share_within_tracks(fresh: list[Sighting], new_scores: dict[int, list]) -> None:
    """A track scored by its best frame takes any frame's new score: each frame gets its
    track-mates' new image scores too (without their keypoint lines, drawn on their frame)."""
    by_track: dict[int, list[Sighting]] = {}
    for s in fresh:
        if s.track_id is not None:
            by_track.setdefault(s.track_id, []).append(s)
    for frames in by_track.values():
        shared = [
            (s.pk, dataclasses.replace(score, correspondences=[]))
            for s in frames
            for score in new_scores.get(s.pk, [])
        ]
        for s in frames:
            others = [score for pk, score in shared if pk != s.pk]
            if others:
                new_scores[s.pk] = [*new_scores.get(s.pk, []), *others]


def _to_crop(
    correspondences: list[list[float]],
    sighting: Sighting,
    candidate: Candidate,
    cached: store._CachedGallery,
) -> list[list[float]]:
    """Stored correspondences are in full-image pixels; merging works in crop pixels."""
    qx, qy = store.query_offset(sighting)
    gallery = candidate.gallery_sighting_id
    gx, gy = cached.offsets.get(gallery, (0, 0)) if gallery is not None else (0, 0)
    return [[x1 - qx, y1 - qy, x2 - gx, y2 - gy, c] for x1, y1, x2, y2, c in correspondences]
