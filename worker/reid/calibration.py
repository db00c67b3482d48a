"""Fitting a project's calibration and open-set threshold from what it knows.

Two sources, used together:

- **The gallery** (`fit_from_gallery`, on the gpu queue: it runs the matchers): confirmed
  gallery images queried against the rest of the gallery with their own event left out
  (worker/pipeline/pseudo_queries.py). A project that imported a catalogue is calibrated on
  its own species and cameras before any expert decision. The pseudo-queries' raw scores are
  kept in storage, so a later refit from decisions needs no torch.
- **The experts' decisions** (`refit_project_calibration`, on the cpu queue every N
  decisions). Positive pairs: a confirmed sighting and the gallery image behind its confirmed
  individual's candidate. Negative pairs: candidates the experts rejected, and the other
  candidates of a confirmed sighting (it is not them).

The threshold maximises sqrt(BAKS * BAUS) over the pseudo-queries (a quarter of them stand
for new individuals) and the decided sightings. After a fit, pending sightings' stored
candidates are re-scored from their raw scores, so the screen shows the new probabilities.
"""

from __future__ import annotations

import json
import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from identification.models import Candidate, Decision, Project, Sighting
from identification.services import global_models, pipeline_results
from worker.pipeline import pseudo_queries
from worker.pipeline.calibration import (
    IsotonicCalibration,
    calibrations_to_dict,
    default_calibrations,
    fuse,
)
from worker.pipeline.pseudo_queries import UNKNOWN, PseudoQuery

Raw = dict[str, float]

log = logging.getLogger(__name__)

# Fewer pairs of either kind than this and the shipped calibration stays.
MIN_PAIRS = 20
# A gallery fit needs this many confirmed images, of which some individual has two.
MIN_GALLERY_IMAGES = 10
# The gallery is fitted again once it has grown by this share since the last gallery fit.
REFIT_GROWTH = 0.2


def project_calibrations(project: Project) -> dict[str, IsotonicCalibration]:
    """The shipped calibrations, with the project's fitted ones in their place."""
    calibrations = default_calibrations()
    for name, data in (project.calibration or {}).get("matchers", {}).items():
        calibrations[name] = IsotonicCalibration.from_dict(data)
    return calibrations


def _raw(scores: dict | None) -> Raw:
    return {name: s["raw"] for name, s in (scores or {}).items() if "raw" in s}


def decided_queries(project: Project) -> tuple[list[PseudoQuery], list[tuple[Raw, bool]]]:
    """Sightings decided after matching, as queries (truth: the confirmed individual, or a new
    one when the expert created it), and the rejected candidates of undecided sightings."""
    new_ids = set(
        Decision.objects.filter(
            project=project, action=Decision.Action.NEW, reverted_by=None
        ).values_list("sighting_id", flat=True)
    )
    queries = []
    sightings = project.sightings.filter(
        status=Sighting.Status.CONFIRMED, individual__isnull=False
    ).prefetch_related("candidates")
    for sighting in sightings.iterator(chunk_size=500):
        raw = {c.pk: _raw(c.scores) for c in sighting.candidates.all()}
        raw = {pk: r for pk, r in raw.items() if r}
        if not raw:
            continue
        labels = {c.pk: str(c.individual_id) for c in sighting.candidates.all() if c.pk in raw}
        new = sighting.pk in new_ids  # an individual the gallery did not hold
        truth = f"{UNKNOWN}new-{sighting.pk}" if new else str(sighting.individual_id)
        queries.append(PseudoQuery(sighting.pk, truth, raw, labels))
    rejected_rows = Candidate.objects.filter(sighting__project=project, rejected=True).exclude(
        sighting__status=Sighting.Status.CONFIRMED
    )
    rejected = [
        (raw, False)
        for raw in map(_raw, rejected_rows.values_list("scores", flat=True).iterator(2000))
        if raw
    ]
    return queries, rejected


def _stored_pseudo_queries(project: Project) -> list[PseudoQuery]:
    name = (project.calibration or {}).get("gallery_fit", {}).get("file")
    if not name:
        return []
    try:
        with default_storage.open(name, "rb") as handle:
            return pseudo_queries.from_json(json.load(handle))
    except (OSError, ValueError, KeyError, TypeError):
        log.warning("project %s: stored pseudo-queries %s unreadable", project.pk, name)
        return []


def refit_project_calibration(project_id: int) -> dict:
    """Fit calibrations and threshold from the stored gallery pseudo-queries and the decisions
    (no torch: both hold raw scores already), store them and re-score pending sightings."""
    project = Project.objects.filter(pk=project_id).first()
    if project is None:
        return {}
    gallery = _stored_pseudo_queries(project)
    decided, rejected = decided_queries(project)
    known = set(
        project.sightings.filter(status=Sighting.Status.CONFIRMED, individual__isnull=False)
        .values_list("individual_id", flat=True)
        .distinct()
    )
    fitted = pseudo_queries.fit(
        default_calibrations(),
        gallery + decided,
        {str(k) for k in known},
        project.new_individual_threshold,
        rejected,
    )
    refit = fitted.positives >= MIN_PAIRS and fitted.negatives >= MIN_PAIRS
    sources = [name for name, part in (("gallery", gallery), ("decisions", decided)) if part]
    summary = {
        "positives": fitted.positives,
        "negatives": fitted.negatives,
        "pseudo_queries": len(gallery),
        "decided_sightings": len(decided),
        "sources": sources,
        "fitted_at": timezone.now().isoformat(),
        "refitted": refit,
    }
    # Without a sighting standing for a new individual the threshold cannot be tuned.
    has_unknown = fitted.unknown_queries > 0 and fitted.unknown_queries < fitted.queries
    matchers = calibrations_to_dict(fitted.calibrations) if refit else None
    threshold = fitted.threshold if refit and has_unknown else None
    pipeline_results.save_calibration_fit(project_id, matchers, threshold, summary)
    if matchers is not None:
        recalibrate_pending(project_id)
    log.info("project %s calibration refit: %s", project_id, summary)
    return summary


def recalibrate_pending(project_id: int) -> int:
    """Pending sightings' stored candidates re-scored from their raw scores with the project's
    current calibrations (rank and P(new) follow); returns how many sightings changed."""
    project = Project.objects.get(pk=project_id)
    cals = project_calibrations(project)
    changed = 0
    pending = project.sightings.filter(
        status=Sighting.Status.PENDING, p_new__isnull=False
    ).prefetch_related("candidates")
    for sighting in pending.iterator(chunk_size=500):
        rescored = []
        for c in sighting.candidates.all():
            raw = _raw(c.scores)
            fused, detail = fuse(cals, raw) if raw else (c.fused, c.scores)
            rescored.append((c.pk, fused, detail))
        if rescored and pipeline_results.rescore_candidates(sighting.pk, rescored):
            changed += 1
    return changed


def gallery_fit_due(project: Project, gallery_images: int, config_key: str | None = None) -> bool:
    """Has the gallery grown enough since its last fit (or never been fitted), or have its
    features changed (another global model in use: its scores need their own calibration)?"""
    if gallery_images < MIN_GALLERY_IMAGES:
        return False
    fit = (project.calibration or {}).get("gallery_fit", {})
    if config_key is not None and fit.get("config_key", config_key) != config_key:
        return True
    last = fit.get("images", 0)
    return gallery_images >= max(last + 1, last * (1 + REFIT_GROWTH))


def fit_from_gallery(project_id: int) -> dict:
    """Query the project's gallery against itself (each image without its event), keep the
    pseudo-queries' raw scores, then refit from them and the decisions. On the gpu queue."""
    from worker.pipeline.fusion import WildFusion
    from worker.reid import store

    project = Project.objects.filter(pk=project_id).first()
    if project is None:
        return {}
    config = store.project_config(project)
    key = config.config_key()
    cached = store.gallery_for(project, config)
    gallery = cached.gallery
    if not gallery_fit_due(project, len(gallery), key):
        return {}
    labels = [gallery.label(i) for i in gallery.items]
    if len(set(labels)) == len(labels):
        return {}  # no individual with two images: nothing to learn "same" from
    events = gallery_events(project, list(gallery.items))
    fusion = WildFusion(config, default_calibrations())
    n = settings.REIDSITE_CALIBRATION_PSEUDO_QUERIES
    # Cross-fitting: a fine-tuned model is overconfident on the images it trained on, so
    # only the others are queried (they are still matched against the whole gallery).
    only = global_models.untrained_gallery(project, list(gallery.items))
    queries = pseudo_queries.run(fusion, gallery, events, n, seed=project_id, only=only)
    name = default_storage.save(
        f"calibration/project-{project_id}/pseudo-queries-{len(gallery)}.json",
        ContentFile(json.dumps(pseudo_queries.to_json(queries)).encode()),
    )
    info = {
        "file": name,
        "images": len(gallery),
        "individuals": len(set(labels)),
        "queries": len(queries),
        "query_images": [q.gallery_id for q in queries],
        "config_key": key,
        "global_model": project.global_model.label if project.global_model else "",
        "fitted_at": timezone.now().isoformat(),
    }
    old = pipeline_results.save_gallery_fit(project_id, info)
    if old and old != name:
        default_storage.delete(old)
    return refit_project_calibration(project_id)


def gallery_events(project: Project, sighting_ids: list[int]) -> dict[int, str]:
    """Gallery sighting -> its burst (event), or its frame when it belongs to no event:
    two animals in one frame are one event too."""
    rows = project.sightings.filter(pk__in=sighting_ids).values_list(
        "pk", "media_id", "media__event_id"
    )
    return {
        pk: f"event:{event}" if event is not None else f"media:{media}" for pk, media, event in rows
    }
