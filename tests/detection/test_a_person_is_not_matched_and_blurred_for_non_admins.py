"""Persons become human observations, never sightings, and are blurred in the full image and
the thumbnail for everyone but project admins."""

import io

import numpy as np
import pytest
from PIL import Image

from identification.models import DetectedObject, Sighting
from identification.services import detection_import
from identification.services.synthetic import camera_burst
from tests.detection.mdfiles import md_file
from tests.factories import camera_batch

pytestmark = pytest.mark.django_db

PERSON_BOX = [0.30, 0.20, 0.25, 0.50]


@pytest.fixture
def person_frame(project, deployment):
    frames, _ = camera_burst(seed=21, frames=1)
    batch, (media,) = camera_batch(project, frames, deployment=deployment)
    raw = md_file({media.original_name: [("2", 0.93, PERSON_BOX)]})
    report = detection_import.import_file(batch, raw, "md.json")
    assert report.persons == 1
    media.refresh_from_db()
    return media


def _pixels(response) -> np.ndarray:
    data = b"".join(response.streaming_content)
    return np.asarray(Image.open(io.BytesIO(data)).convert("L"), dtype=np.float32)


def _inside(pixels: np.ndarray) -> np.ndarray:
    h, w = pixels.shape
    x, y, bw, bh = PERSON_BOX
    return pixels[int(y * h) : int((y + bh) * h), int(x * w) : int((x + bw) * w)]


def test_a_person_is_an_object_not_a_sighting_and_the_frame_is_not_blank(person_frame):
    assert not Sighting.objects.filter(media=person_frame).exists()
    assert DetectedObject.objects.get(media=person_frame).category == "person"
    assert not person_frame.is_blank


@pytest.mark.parametrize("view", ["media_file", "media_thumbnail"])
def test_a_ranger_and_an_expert_get_the_person_blurred_an_admin_the_original(
    client, person_frame, ranger, expert, admin_user, view
):
    url = f"/p/{person_frame.project.slug}/media/{person_frame.pk}/"
    url += "image/" if view == "media_file" else "thumbnail/"
    client.force_login(admin_user)
    original = _pixels(client.get(url))
    for user in (ranger, expert):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        blurred = _pixels(response)
        assert blurred.shape == original.shape
        # The scene's texture is gone inside the box, kept outside it.
        assert _inside(blurred).std() < 0.5 * _inside(original).std()
        assert np.abs(blurred[:, :20] - original[:, :20]).mean() < 3
