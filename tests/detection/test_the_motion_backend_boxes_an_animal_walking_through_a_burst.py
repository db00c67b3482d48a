"""The offline default: motion between the frames of one event, no weights."""

import pytest

from identification.models import Sighting
from identification.services.synthetic import camera_burst
from tests.factories import camera_batch
from worker.pipeline.detection import Detection
from worker.tasks.detection import detect_batch

pytestmark = pytest.mark.django_db


def test_each_frame_of_a_walking_burst_gets_one_sighting_on_the_animal(project, deployment):
    assert project.detector == "auto"  # motion, without MegaDetector weights
    frames, truth = camera_burst(seed=7, frames=5, animal_share=0.15)
    batch, media = camera_batch(project, frames, deployment=deployment)
    assert len({m.event_id for m in media}) == 1

    detect_batch(batch.pk)

    for m, box in zip(media, truth, strict=True):
        sightings = list(Sighting.objects.filter(media=m))
        assert len(sightings) >= 1
        best = max(
            Detection("animal", 1.0, (s.bbox_x, s.bbox_y, s.bbox_width, s.bbox_height)).iou(
                Detection("animal", 1.0, box)
            )
            for s in sightings
        )
        assert best >= 0.5
        m.refresh_from_db()
        assert m.detector.startswith("motion")


def test_a_frame_alone_is_kept_whole_never_called_blank(project):
    frames, _ = camera_burst(seed=8, frames=1)
    batch, (media,) = camera_batch(project, frames)  # no deployment: no neighbours

    detect_batch(batch.pk)

    media.refresh_from_db()
    assert not media.is_blank
    assert Sighting.objects.filter(media=media).count() == 1
