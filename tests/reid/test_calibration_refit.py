import numpy as np
import pytest

from identification.models import Candidate, Individual, Sighting
from worker.pipeline.calibration import calibrations_from_dict
from worker.tasks import bookkeeping

pytestmark = pytest.mark.django_db


def _decided_candidates(project, make_sighting, n: int):
    """n confirmed sightings, each with a right candidate (high raw) and a wrong one (low)."""
    rng = np.random.default_rng(0)
    right = Individual.objects.create(project=project, code="R")
    wrong = Individual.objects.create(project=project, code="W")
    for i in range(n):
        sighting = make_sighting(i % 4, i + 10, right)
        hi, lo = rng.uniform(0.5, 1.0), rng.uniform(0.0, 0.6)
        for rank, (individual, raw) in enumerate([(right, hi), (wrong, lo)], start=1):
            Candidate.objects.create(
                sighting=sighting,
                rank=rank,
                individual=individual,
                fused=raw,
                scores={"global": {"raw": raw, "calibrated": raw}},
            )
        Sighting.objects.filter(pk=sighting.pk).update(p_new=1 - hi)


def test_refit_learns_a_monotone_calibration_from_decisions(project, make_sighting, settings):
    settings.REIDSITE_CALIBRATION_REFIT_EVERY = 3
    _decided_candidates(project, make_sighting, 24)

    for _ in range(3):
        bookkeeping.count_decision(project.pk)

    project.refresh_from_db()
    assert project.decisions_since_refit == 0
    assert project.calibration["last_fit"]["refitted"] is True
    fitted = calibrations_from_dict(project.calibration["matchers"])["global"]
    probs = fitted.predict(np.linspace(0, 1, 50))
    assert np.all(np.diff(probs) >= 0)
    assert probs.min() >= 0 and probs.max() <= 1
    assert probs[-1] > probs[0]


def test_too_few_decisions_keep_the_shipped_calibration(project, make_sighting):
    _decided_candidates(project, make_sighting, 3)
    bookkeeping.refit_calibration(project.pk)
    project.refresh_from_db()
    assert project.calibration["last_fit"]["refitted"] is False
    assert "matchers" not in project.calibration
