"""The `megadetector` backend in the app, on a model file the test builds itself.

Its weights are random (real MegaDetector weights cannot be downloaded here), so its boxes
mean nothing: this checks the plumbing only. REIDSITE_DETECTOR_WEIGHTS is loaded through the
`megadetector` package, every frame is run, its categories map to animal/person/vehicle, and
the animal boxes at or above the project's threshold become the frame's sightings."""

import pytest

from identification.models import DetectedObject, Media, Sighting
from identification.services.synthetic import camera_burst
from tests.factories import camera_batch
from tests.megadetector_model import random_megadetector
from worker.tasks.detection import detect_batch

pytestmark = pytest.mark.django_db


def test_a_self_built_model_file_runs_in_the_detection_stage(
    project, deployment, settings, tmp_path
):
    settings.REIDSITE_DETECTOR_WEIGHTS = str(random_megadetector(tmp_path))
    project.detector = "auto"  # auto means MegaDetector once its weights are set
    project.detection_threshold = 0.0  # a random model's boxes are all low-confidence
    project.save()
    frames, _ = camera_burst(seed=2, frames=2, size=(640, 480))
    batch, media = camera_batch(project, frames, deployment=deployment)

    detect_batch(batch.pk)

    stored = Media.objects.filter(batch=batch)
    assert {m.detection_status for m in stored} == {"done"}
    assert all(m.detector.startswith("megadetector:random-yolov5n.pt:") for m in stored)
    objects = DetectedObject.objects.filter(media__batch=batch)
    assert objects.exists()
    assert set(objects.values_list("category", flat=True)) <= {"animal", "person", "vehicle"}
    animals = objects.filter(category="animal")
    sightings = Sighting.objects.filter(media__batch=batch)
    assert sightings.count() == animals.count()
    assert set(animals.values_list("sighting_id", flat=True)) == set(
        sightings.values_list("pk", flat=True)
    )
    for s in sightings:
        assert s.has_bbox and s.detection_conf is not None
        # Boxes stop at the camera's data strips.
        assert s.bbox_y >= s.media.strip_top - 1e-9
