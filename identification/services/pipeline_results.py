"""What the re-identification workers write: features, rankings, calibrations, counts.

Workers compute (worker/reid, worker/pipeline) and store through these functions only, so the
rules of the stored state live here: rejected candidates stay rejected when a sighting is
re-ranked, the threshold is tuned only while the project's `auto_threshold` is on, and a
sighting decided meanwhile is not touched by a late extraction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ..models import Candidate, Project, Sighting, SightingFeatures

P = Sighting.PipelineStatus


@dataclass(frozen=True)
class RankedCandidate:
    """One individual's candidacy for a sighting, best gallery image first, in image pixels."""

    individual_id: int
    gallery_sighting_id: int | None
    fused: float
    scores: dict[str, dict[str, float]]
    correspondences: list[list[float]] = field(default_factory=list)


def mark_unreadable(sighting_id: int, error: str) -> None:
    """The sighting's image could not be read: it fails once and is not retried."""
    Sighting.objects.filter(pk=sighting_id).update(
        pipeline_status=P.FAILED, pipeline_error=f"Cannot read the image: {error}"[:500]
    )


@transaction.atomic
def store_features(
    sighting_id: int,
    data: bytes,
    model_versions: dict[str, str],
    config_key: str,
    local_key: str = "",
) -> None:
    # Replaced, not updated: a row's id then names its content (the workers' in-memory
    # galleries reload a gallery image when its features row id changes).
    SightingFeatures.objects.filter(sighting_id=sighting_id).delete()
    SightingFeatures.objects.create(
        sighting_id=sighting_id,
        data=data,
        model_versions=model_versions,
        config_key=config_key,
        local_key=local_key,
    )
    Sighting.objects.filter(pk=sighting_id, pipeline_status=P.QUEUED).update(
        pipeline_status=P.EXTRACTED
    )


@transaction.atomic
def store_ranking(
    sighting_id: int,
    ranked: list[RankedCandidate],
    p_new: float,
    model_versions: dict[str, str],
) -> None:
    """Replace the sighting's candidates with a new ranking, keeping rejected ones rejected."""
    rejected = set(
        Candidate.objects.filter(sighting_id=sighting_id, rejected=True).values_list(
            "individual_id", flat=True
        )
    )
    Candidate.objects.filter(sighting_id=sighting_id).delete()
    Candidate.objects.bulk_create(
        Candidate(
            sighting_id=sighting_id,
            rank=rank,
            individual_id=c.individual_id,
            gallery_sighting_id=c.gallery_sighting_id,
            scores=c.scores,
            fused=c.fused,
            correspondences=c.correspondences,
            model_versions=model_versions,
            rejected=c.individual_id in rejected,
        )
        for rank, c in enumerate(ranked, start=1)
    )
    Sighting.objects.filter(pk=sighting_id).update(
        p_new=float(p_new), pipeline_status=P.MATCHED, pipeline_error="", matched_at=timezone.now()
    )


def count_decision(project_id: int, refit_every: int) -> bool:
    """Count one decision; True when the project is due for a calibration refit."""
    Project.objects.filter(pk=project_id).update(
        decisions_since_refit=F("decisions_since_refit") + 1
    )
    count = (
        Project.objects.filter(pk=project_id)
        .values_list("decisions_since_refit", flat=True)
        .first()
    )
    return count is not None and count >= refit_every


@transaction.atomic
def save_calibration_fit(
    project_id: int,
    matchers: dict[str, Any] | None,
    threshold: float | None,
    summary: dict[str, Any],
) -> None:
    """Store a refit: new matcher calibrations (None keeps the current ones) and, while the
    project tunes its threshold automatically, the tuned threshold. The counter restarts."""
    project = Project.objects.select_for_update().get(pk=project_id)
    calibration = dict(project.calibration or {})
    if matchers is not None:
        calibration["matchers"] = matchers
    summary = dict(summary)
    if threshold is not None:
        summary["threshold"] = threshold
        summary["threshold_applied"] = project.auto_threshold
        if project.auto_threshold:
            project.new_individual_threshold = threshold
    calibration["last_fit"] = summary
    project.calibration = calibration
    project.decisions_since_refit = 0
    project.save(update_fields=["calibration", "decisions_since_refit", "new_individual_threshold"])


@transaction.atomic
def save_gallery_fit(project_id: int, info: dict[str, Any]) -> str:
    """Record the gallery's pseudo-query fit (its stored file, gallery size); returns the file
    of the fit it replaces ("" when none), for the caller to delete."""
    project = Project.objects.select_for_update().get(pk=project_id)
    calibration = dict(project.calibration or {})
    old = str(calibration.get("gallery_fit", {}).get("file", ""))
    calibration["gallery_fit"] = dict(info)
    project.calibration = calibration
    project.save(update_fields=["calibration"])
    return old


def p_new_of(allowed_scores: Iterable[float]) -> float:
    """P(new individual): 1 - the best fused score among the individuals the experts have not
    ruled out (1 with none). One rule for the matcher and the re-calibration."""
    return 1.0 - max(allowed_scores, default=0.0)


@transaction.atomic
def rescore_candidates(sighting_id: int, rescored: list[tuple[int, float, dict[str, Any]]]) -> bool:
    """New fused scores for a pending sighting's candidates ((pk, fused, scores)):
    ranks follow the scores and P(new) is 1 - the best one the experts have not rejected.
    A sighting decided meanwhile is left alone. True when something changed."""
    sighting = (
        Sighting.objects.select_for_update()
        .filter(pk=sighting_id, status=Sighting.Status.PENDING)
        .first()
    )
    if sighting is None:
        return False
    candidates = {c.pk: c for c in Candidate.objects.filter(sighting_id=sighting_id)}
    order = sorted((r for r in rescored if r[0] in candidates), key=lambda r: (-r[1], r[0]))
    changed = []
    for rank, (pk, fused, scores) in enumerate(order, start=1):
        c = candidates[pk]
        if c.rank != rank or abs(c.fused - fused) > 1e-9 or c.scores != scores:
            c.rank, c.fused, c.scores = rank, float(fused), scores
            changed.append(c)
    p_new = p_new_of(fused for pk, fused, _ in order if not candidates[pk].rejected)
    if not changed and sighting.p_new is not None and abs(sighting.p_new - p_new) < 1e-9:
        return False
    Candidate.objects.bulk_update(changed, ["rank", "fused", "scores"])
    Sighting.objects.filter(pk=sighting_id).update(p_new=p_new)
    return True
