"""Refitting a project's calibration and open-set threshold from its experts' decisions.

Positive pairs: a confirmed sighting and the gallery image behind its confirmed individual's
candidate. Negative pairs: candidates the experts rejected, and the other candidates of a
confirmed sighting (it is not them). The threshold is tuned to maximise sqrt(BAKS * BAUS)
over decided sightings: confirmed as an existing individual (known) or as a new one (unknown).
"""

from __future__ import annotations

import logging

from django.utils import timezone

from identification.models import Candidate, Decision, Project, Sighting
from identification.services import pipeline_results
from worker.pipeline.calibration import calibrations_to_dict, fit_calibrations
from worker.pipeline.openset import tune_threshold

log = logging.getLogger(__name__)

# Fewer pairs of either kind than this and the shipped calibration stays.
MIN_PAIRS = 20


def decided_pairs(project: Project) -> list[tuple[dict[str, float], bool]]:
    pairs: list[tuple[dict[str, float], bool]] = []
    rows = (
        Candidate.objects.filter(sighting__project=project)
        .filter(sighting__status=Sighting.Status.CONFIRMED)
        .values_list("scores", "individual_id", "sighting__individual_id", "rejected")
        .iterator(chunk_size=2000)
    )
    for scores, individual_id, confirmed_id, rejected in rows:
        raw = {name: s["raw"] for name, s in (scores or {}).items() if "raw" in s}
        if raw:
            pairs.append((raw, individual_id == confirmed_id and not rejected))
    rejected_rows = Candidate.objects.filter(sighting__project=project, rejected=True).exclude(
        sighting__status=Sighting.Status.CONFIRMED
    )
    for scores in rejected_rows.values_list("scores", flat=True).iterator(chunk_size=2000):
        raw = {name: s["raw"] for name, s in (scores or {}).items() if "raw" in s}
        if raw:
            pairs.append((raw, False))
    return pairs


def _threshold(project: Project) -> float | None:
    """Tuned on sightings decided after matching: best fused score vs. known/new."""
    new_ids = set(
        Decision.objects.filter(
            project=project, action=Decision.Action.NEW, reverted_by=None
        ).values_list("sighting_id", flat=True)
    )
    best_labels, best_scores, truths, known = [], [], [], set()
    sightings = project.sightings.filter(
        status=Sighting.Status.CONFIRMED, individual__isnull=False, p_new__isnull=False
    ).prefetch_related("candidates")
    for sighting in sightings.iterator(chunk_size=500):
        ranked = sorted(sighting.candidates.all(), key=lambda c: -c.fused)
        if not ranked:
            continue
        truth = str(sighting.individual_id)
        if sighting.pk in new_ids:
            truth = f"new-{sighting.pk}"  # an individual the gallery did not hold
        else:
            known.add(truth)
        best_labels.append(str(ranked[0].individual_id))
        best_scores.append(ranked[0].fused)
        truths.append(truth)
    if not known or len(known) == len(set(truths)):
        return None
    return tune_threshold(best_labels, best_scores, truths, known, project.new_individual_threshold)


def refit_project_calibration(project_id: int) -> dict:
    project = Project.objects.filter(pk=project_id).first()
    if project is None:
        return {}
    pairs = decided_pairs(project)
    positives = sum(1 for _, same in pairs if same)
    negatives = len(pairs) - positives
    refit = positives >= MIN_PAIRS and negatives >= MIN_PAIRS
    summary = {
        "positives": positives,
        "negatives": negatives,
        "fitted_at": timezone.now().isoformat(),
        "refitted": refit,
    }
    matchers = calibrations_to_dict(fit_calibrations(pairs)) if refit else None
    pipeline_results.save_calibration_fit(project_id, matchers, _threshold(project), summary)
    log.info("project %s calibration refit: %s", project_id, summary)
    return summary
