"""Rolling back to the model used before a deployment brings back the very rankings that
model gave: the same candidates in the same order with the same probabilities."""

import pytest

from identification.models import GlobalModelVersion
from identification.services import global_models

pytestmark = [pytest.mark.django_db, pytest.mark.reid]


def _rankings(sightings) -> dict[int, list[tuple[int, float]]]:
    out = {}
    for sighting in sightings:
        rows = sighting.candidates.order_by("rank").values_list("individual_id", "fused")
        out[sighting.pk] = [(individual, round(fused, 4)) for individual, fused in rows]
    return out


def test_rolling_back_to_the_site_model_restores_its_rankings(
    project, trainable, django_capture_on_commit_callbacks
):
    pending = trainable["pending"]
    site = _rankings(pending)
    calibration = project.calibration["matchers"]
    with django_capture_on_commit_callbacks(execute=True):
        version = global_models.request_training(project, now=True)
    version.refresh_from_db()
    assert version.status == GlobalModelVersion.Status.BETTER
    tuned = _rankings(pending)
    assert tuned != site  # the new descriptors changed the probabilities

    project.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        global_models.deploy(project, None)
    project.refresh_from_db()

    assert project.global_model is None
    assert _rankings(pending) == site
    assert project.calibration["matchers"] == calibration
    for sighting in pending:
        assert {c.model_versions["project_model"] for c in sighting.candidates.all()} == {"site"}
    # The trained version stays, deployable again.
    assert global_models.deployable(project) == [version]
