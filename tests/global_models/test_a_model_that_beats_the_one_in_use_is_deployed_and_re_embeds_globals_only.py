"""A fine-tuned model that ranks the held-out confirmed images better than the model in use
is deployed: the project's global descriptors are computed again with it (the keypoints
stay as they were), the calibration is refitted on images it did not train on, and the
pending sightings are ranked again, their candidates naming the new version."""

import numpy as np
import pytest

from identification.models import GlobalModelVersion, Sighting, SightingFeatures
from identification.services import global_models
from worker.pipeline.calibration import fuse
from worker.pipeline.features import Features
from worker.reid import store
from worker.reid.calibration import project_calibrations

pytestmark = [pytest.mark.django_db, pytest.mark.reid]


def _features(project) -> dict[int, SightingFeatures]:
    return {f.sighting_id: f for f in SightingFeatures.objects.filter(sighting__project=project)}


def test_deployment_recomputes_only_the_global_descriptors_and_reranks_pending(
    project, trainable, django_capture_on_commit_callbacks
):
    before = _features(project)
    old_key = store.project_config(project).config_key()
    assert {f.config_key for f in before.values()} == {old_key}
    pending = trainable["pending"]
    matched_before = {s.pk: s.matched_at for s in pending}

    with django_capture_on_commit_callbacks(execute=True):
        version = global_models.request_training(project, now=True)
    version.refresh_from_db()
    project.refresh_from_db()

    assert version.status == GlobalModelVersion.Status.BETTER, version.history
    assert version.top1_trained > version.top1_current
    assert project.global_model == version and version.file
    assert len(version.history) == version.epochs >= version.best_epoch >= 1
    new_key = store.project_config(project).config_key()
    assert new_key != old_key

    after = _features(project)
    assert set(after) == set(before)
    for sighting_id, row in after.items():
        old = Features.from_bytes(bytes(before[sighting_id].data))
        new = Features.from_bytes(bytes(row.data))
        assert row.config_key == new_key and row.local_key == before[sighting_id].local_key
        np.testing.assert_array_equal(new.keypoints, old.keypoints)
        np.testing.assert_array_equal(new.descriptors, old.descriptors)
        assert not np.allclose(new.globals["global"], old.globals["global"])
        assert new.globals["global"].shape == old.globals["global"].shape

    for sighting in pending:
        sighting.refresh_from_db()
        assert sighting.status == Sighting.Status.PENDING
        assert sighting.matched_at > matched_before[sighting.pk]
        versions = {c.model_versions["project_model"] for c in sighting.candidates.all()}
        assert versions == {"v1"}
        # Ranked with the calibration refitted for the new descriptors.
        for c in sighting.candidates.all():
            raw = {name: s["raw"] for name, s in c.scores.items()}
            assert c.fused == pytest.approx(fuse(project_calibrations(project), raw)[0])

    # Cross-fitting: the calibration's pseudo-queries are images the model never trained on.
    fit = project.calibration["gallery_fit"]
    assert fit["config_key"] == new_key and fit["global_model"] == "v1"
    assert fit["query_images"]
    assert not set(fit["query_images"]) & set(version.trained_on)
    assert set(version.trained_on) < set(trainable["gallery"])

    # The map shows the gallery and the pending sightings, before and after.
    points = version.embedding_map
    assert len(points["before"]) == len(points["after"]) == len(trainable["gallery"]) + 3
    assert points["individuals"].count(None) == 3
