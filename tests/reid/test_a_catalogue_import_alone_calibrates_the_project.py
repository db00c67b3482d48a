"""A project that imported a labelled catalogue is calibrated on it before any decision: its
gallery is queried against itself, and the screen stops saying "uncalibrated"."""

import numpy as np
import pytest

from identification.models import Candidate, Individual, Sighting
from identification.services import review_queue
from identification.services.imports.catalogue import import_catalogue
from tests.imports.catalogues import folder_catalogue
from worker.pipeline.calibration import calibrations_from_dict, default_calibrations, fuse
from worker.reid.calibration import project_calibrations

pytestmark = [pytest.mark.django_db, pytest.mark.reid]


def _pending_with_stored_candidates(project, make_sighting):
    """A sighting matched earlier (raw scores stored) under the shipped calibration."""
    sighting = make_sighting(9, 1)
    other = Individual.objects.create(project=project, code="OLD")
    for rank, raw in enumerate([{"global": 0.55, "aliked": 40.0}, {"global": 0.3, "aliked": 2.0}]):
        fused, detail = fuse(default_calibrations(), raw)
        Candidate.objects.create(
            sighting=sighting, rank=rank + 1, individual=other if rank else
            Individual.objects.create(project=project, code="OLD2"),
            fused=fused, scores=detail,
        )  # fmt: skip
    Sighting.objects.filter(pk=sighting.pk).update(p_new=0.5)
    return sighting


def test_a_catalogue_import_alone_fits_calibration_and_threshold(
    project, expert, tmp_path, settings, make_sighting, django_capture_on_commit_callbacks
):
    settings.REIDSITE_CALIBRATION_PSEUDO_QUERIES = 16
    pending = _pending_with_stored_candidates(project, make_sighting)
    assert review_queue.calibration_note(project) == (
        False,
        "uncalibrated: no confirmed individuals yet",
    )
    animals = {f"N{k}": [0, 1, 2, 3] for k in range(6)}
    with django_capture_on_commit_callbacks(execute=True):
        import_catalogue(project, folder_catalogue(tmp_path / "cat", animals), user=expert)

    project.refresh_from_db()
    # The import's own records are no review: no confirmed sighting was ever matched.
    assert not Candidate.objects.filter(sighting__status=Sighting.Status.CONFIRMED).exists()
    fit = project.calibration["last_fit"]
    assert fit["refitted"] is True
    assert fit["sources"] == ["gallery"] and fit["decided_sightings"] == 0
    assert fit["pseudo_queries"] == 16 and fit["positives"] >= 20
    assert project.calibration["gallery_fit"]["images"] == 24
    assert "threshold" in fit and 0.0 <= fit["threshold"] <= 1.0 + 1e-6
    assert project.new_individual_threshold == pytest.approx(fit["threshold"])
    fitted = calibrations_from_dict(project.calibration["matchers"])
    for cal in fitted.values():
        probs = cal.predict(np.linspace(0, 200, 50))
        assert np.all(np.diff(probs) >= -1e-12)
    assert fitted["aliked"].to_dict() != default_calibrations()["aliked"].to_dict()
    calibrated, note = review_queue.calibration_note(project)
    assert calibrated and "24 gallery images" in note

    # Pending sightings show the new probabilities without being matched again.
    cals = project_calibrations(project)
    for c in Candidate.objects.filter(sighting=pending):
        raw = {name: s["raw"] for name, s in c.scores.items()}
        assert c.fused == pytest.approx(fuse(cals, raw)[0])
    pending.refresh_from_db()
    best = Candidate.objects.filter(sighting=pending).order_by("rank").first()
    assert pending.p_new == pytest.approx(1.0 - best.fused)


def test_the_gallery_fit_runs_once_per_growth_of_the_gallery(
    project, expert, tmp_path, settings, django_capture_on_commit_callbacks, monkeypatch
):
    settings.REIDSITE_CALIBRATION_PSEUDO_QUERIES = 8
    from worker.pipeline import pseudo_queries
    from worker.tasks import reid as reid_tasks

    runs = []
    original = pseudo_queries.run
    monkeypatch.setattr(pseudo_queries, "run", lambda *a, **k: runs.append(1) or original(*a, **k))
    animals = {f"N{k}": [0, 1] for k in range(6)}
    with django_capture_on_commit_callbacks(execute=True):
        import_catalogue(project, folder_catalogue(tmp_path / "cat", animals), user=expert)
    assert runs == [1]
    reid_tasks.calibrate_from_gallery(project.pk)  # delivered again: the gallery did not grow
    assert runs == [1]
    assert Sighting.objects.filter(project=project, status="confirmed").count() == 12
