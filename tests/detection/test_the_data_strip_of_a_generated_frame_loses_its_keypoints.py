"""The camera's burned-in bars are found per deployment and kept out of matching: crops stop
at them, so no keypoint lies on the clock or the logo, also for whole-frame sightings."""

import pytest

from identification.models import Sighting, SightingFeatures
from identification.services.synthetic import camera_burst
from tests.factories import camera_batch
from worker.pipeline.features import Features, get_extractor
from worker.reid import store
from worker.tasks.detection import detect_batch

pytestmark = [pytest.mark.django_db, pytest.mark.reid]

STRIP = 24  # pixels, top and bottom, in camera_burst's 960 x 720 frames


def test_keypoints_of_a_whole_frame_sighting_stay_off_the_data_strips(project, deployment):
    project.detector = "none"
    project.save()
    frames, _ = camera_burst(seed=11, frames=4, strip_height=STRIP)
    batch, media = camera_batch(project, frames, deployment=deployment)

    detect_batch(batch.pk)

    first = media[0]
    first.refresh_from_db()
    assert first.strip_top * first.height == pytest.approx(STRIP, abs=2)
    assert first.strip_bottom * first.height == pytest.approx(STRIP, abs=2)
    deployment.refresh_from_db()
    assert deployment.data_strips["960x720"]["frames"] == 4
    sighting = Sighting.objects.get(media=first)
    config = store.project_config(project)
    assert store.extract_missing([sighting.pk], config) == []

    feats = Features.from_bytes(bytes(SightingFeatures.objects.get(sighting=sighting).data))
    _, top = store.query_offset(Sighting.objects.select_related("media").get(pk=sighting.pk))
    rows = feats.keypoints[:, 1].astype(float) + top
    assert len(rows) > 50
    assert rows.min() >= STRIP - 1
    assert rows.max() <= first.height - STRIP + 1

    # Without the cut, the same frame's clock and logo do draw keypoints.
    whole = get_extractor(config).extract([frames[0]])[0]
    on_strips = (whole.keypoints[:, 1] < STRIP) | (whole.keypoints[:, 1] > first.height - STRIP)
    assert on_strips.sum() > 0
