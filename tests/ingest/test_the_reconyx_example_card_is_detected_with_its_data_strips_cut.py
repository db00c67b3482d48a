"""The ten real Reconyx frames of the Camtrap DP example, uploaded as a ranger would: the
camera's 32-pixel time bar and logo are found on the deployment and every box stops at them."""

import io
import zipfile

import pytest

from identification.models import Media, Sighting
from tests.ingest.test_camtrap_dp_example_upload import example_media  # noqa: F401 - fixture
from worker.tasks.detection import detect_batch

pytestmark = pytest.mark.django_db


def test_the_example_cards_strips_are_found_and_no_box_reaches_into_them(
    upload,
    project,
    deployment,
    example_media,  # noqa: F811
):
    card = io.BytesIO()
    with zipfile.ZipFile(card, "w") as archive:
        for name, data in example_media.items():
            archive.writestr(f"DCIM/100RECNX/{name}", data)
    upload({"card.zip": card.getvalue()}, deployment)
    batch = Media.objects.filter(project=project).first().batch

    detect_batch(batch.pk)  # motion, the offline default

    deployment.refresh_from_db()
    strips = deployment.data_strips["2048x1440"]
    assert strips["top"] * 1440 == pytest.approx(32, abs=2)
    assert strips["bottom"] * 1440 == pytest.approx(32, abs=2)
    assert strips["frames"] == 8
    media = list(Media.objects.filter(batch=batch))
    assert {m.detection_status for m in media} == {"done"}
    for s in Sighting.objects.filter(media__batch=batch):
        assert s.has_bbox
        assert s.bbox_y >= strips["top"] - 1e-9
        assert s.bbox_y + s.bbox_height <= 1 - strips["bottom"] + 1e-9
