"""With no box (detector "none", or nothing detected), a sighting's keypoints on the camera's
static scene are dropped and the matcher sees only the frame's focus, so a whole frame is
matched on its animal, not on the riverbank."""

import datetime as dt

import numpy as np
import pytest
from django.core.files.storage import default_storage

from identification.models import Sighting, SightingFeatures
from identification.services.synthetic import camera_burst
from tests.factories import camera_batch
from worker.pipeline.detection.scene import focus_box
from worker.pipeline.features import Features, get_extractor
from worker.reid import store
from worker.tasks.detection import detect_batch

pytestmark = [pytest.mark.django_db, pytest.mark.reid]


def _share_inside(points: np.ndarray, box, size: tuple[int, int], pad: float = 0.05) -> float:
    x, y, w, h = box
    px = points[:, 0] / size[0]
    py = points[:, 1] / size[1]
    inside = (px >= x - pad) & (px <= x + w + pad) & (py >= y - pad) & (py <= y + h + pad)
    return float(inside.mean())


def test_a_whole_frame_sightings_keypoints_lie_on_its_animal(project, deployment):
    project.detector = "none"
    project.save()
    # Four visits to one camera, an hour apart: four events, the animal elsewhere each time.
    bursts = [camera_burst(seed=s, frames=1, scene_seed=5) for s in (21, 22, 23, 24)]
    frames = [b[0][0] for b in bursts]
    batch, media = camera_batch(
        project, frames, deployment=deployment, start=dt.datetime(2024, 5, 1, 6), seconds_apart=3600
    )

    detect_batch(batch.pk)

    deployment.refresh_from_db()
    name = deployment.data_strips["960x720"]["scene"]
    assert name and default_storage.exists(name)
    first = media[0]
    sighting = Sighting.objects.get(media=first)
    assert sighting.bbox is not None and sighting.bbox[2] == 1.0  # "none": the whole scene
    config = store.project_config(project)
    assert store.extract_missing([sighting.pk], config) == []

    feats = Features.from_bytes(bytes(SightingFeatures.objects.get(sighting=sighting).data))
    left, top = store.query_offset(Sighting.objects.select_related("media").get(pk=sighting.pk))
    points = feats.keypoints.astype(float) + np.array([left, top])
    box, size = bursts[0][1][0], (first.width, first.height)
    assert len(points) >= 16
    assert _share_inside(points, box, size) > 0.8

    # The same frame without the scene: most keypoints lie on the bank.
    whole = get_extractor(config).extract([frames[0]])[0]
    assert _share_inside(whole.keypoints.astype(float), box, size) < 0.5

    # The matcher saw the frame's focus, which holds the animal and little bank: keypoints
    # were found in it (kept in the frame's pixels), and the global descriptor saw it.
    loaded = Sighting.objects.select_related("media__deployment").get(pk=sighting.pk)
    image, offset, changed = store.load_crop(loaded)
    focus = focus_box(changed, size)
    assert focus is not None
    x, y, w, h = (box[0] * size[0], box[1] * size[1], box[2] * size[0], box[3] * size[1])
    assert focus[0] <= x + 0.05 * w and focus[2] >= x + 0.95 * w
    assert focus[1] <= y + 0.05 * h and focus[3] >= y + 0.95 * h
    assert (focus[2] - focus[0]) * (focus[3] - focus[1]) < 0.4 * size[0] * size[1]
    view = store.global_view(loaded, image, offset, changed)
    assert view.size == (
        focus[2] - focus[0],
        min(focus[3], offset[1] + image.height) - max(focus[1], offset[1]),
    )
    assert feats.image_size == view.size
    name = config.global_models[0].name
    seen = get_extractor(config).globals.embed([view, image])[name]
    assert float(seen[0] @ feats.globals[name]) > 0.999
    assert float(seen[1] @ feats.globals[name]) < 0.99


def test_a_camera_first_seen_in_one_burst_gets_its_scene_once_more_visits_arrive(
    project, deployment
):
    project.detector = "none"
    project.save()
    burst, _ = camera_burst(seed=31, frames=8, scene_seed=5)  # one event: no scene yet
    first, _ = camera_batch(project, burst, deployment=deployment)
    detect_batch(first.pk)
    deployment.refresh_from_db()
    assert deployment.data_strips["960x720"]["scene"] == ""

    visits = [camera_burst(seed=s, frames=1, scene_seed=5)[0][0] for s in (32, 33, 34)]
    later, _ = camera_batch(
        project, visits, deployment=deployment, start=dt.datetime(2024, 5, 2, 6),
        seconds_apart=3600, names=[f"DCIM/101RECNX/RCNX{k:04d}.JPG" for k in range(3)],
    )  # fmt: skip
    detect_batch(later.pk)
    deployment.refresh_from_db()
    name = deployment.data_strips["960x720"]["scene"]
    assert name and default_storage.exists(name)
