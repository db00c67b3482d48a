"""A project with a small gallery of synthetic coats, its features extracted and its pending
sightings matched as the workers would, ready to fine-tune its global model."""

from __future__ import annotations

import pytest

from identification.models import Sighting
from tests.factories import coat_gallery
from worker.tasks import reid as reid_tasks

INDIVIDUALS, IMAGES, PENDING = 10, 5, 3


@pytest.fixture
def trainable(project, settings):
    settings.REIDSITE_TRAINING = False  # trained when a test asks
    settings.REIDSITE_TRAIN_MIN_INDIVIDUALS = 4
    settings.REIDSITE_TRAIN_IMAGE_SIZE = 64
    settings.REIDSITE_TRAIN_FROZEN_FRACTION = 0.5
    settings.REIDSITE_TRAIN_MAX_EPOCHS = 12
    settings.REIDSITE_CALIBRATION_PSEUDO_QUERIES = 8
    individuals, pending = coat_gallery(project, INDIVIDUALS, IMAGES, PENDING)
    gallery = list(
        project.sightings.filter(status=Sighting.Status.CONFIRMED).values_list("pk", flat=True)
    )
    reid_tasks.update_gallery(project.pk, gallery)
    reid_tasks.calibrate_from_gallery(project.pk)
    reid_tasks.match([s.pk for s in pending])
    for s in pending:
        s.refresh_from_db()
    project.refresh_from_db()
    return {"individuals": individuals, "pending": pending, "gallery": gallery}
