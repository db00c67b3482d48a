"""A ranger uploads a memory card's zip with the MegaDetector output AddaxAI wrote for it: the
detection stage applies the file once the images are stored. A file that is not MegaDetector
output is refused on the form, and nothing is uploaded."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from identification.models import Batch, Media, Sighting
from identification.services.synthetic import camera_burst
from tests.detection.mdfiles import md_file
from tests.ingest.conftest import zip_bytes
from worker.tasks.detection import detect_batch

pytestmark = pytest.mark.django_db


def _jpeg(image) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def _post(client, project, deployment, files, detections: bytes, capture):
    data = {
        "deployment": deployment.pk,
        "files": [SimpleUploadedFile(name, content) for name, content in files.items()],
        "detections": SimpleUploadedFile("card.json", detections, "application/json"),
    }
    with capture(execute=True):
        return client.post(reverse("batch_create", args=[project.slug]), data)


def test_the_file_uploaded_with_a_zip_gives_the_sightings(
    client, project, deployment, ranger, django_capture_on_commit_callbacks
):
    frames, _ = camera_burst(seed=41, frames=3)
    card = zip_bytes({f"DCIM/100RECNX/RCNX{k:04d}.JPG": _jpeg(f) for k, f in enumerate(frames)})
    # AddaxAI ran on the card's root folder: longer paths, same ends.
    raw = md_file(
        {
            "F:/DCIM/100RECNX/RCNX0000.JPG": [("1", 0.9, [0.1, 0.3, 0.2, 0.3]),
                                             ("1", 0.8, [0.6, 0.3, 0.2, 0.3])],
            "F:/DCIM/100RECNX/RCNX0001.JPG": [],
            "F:/DCIM/100RECNX/RCNX0002.JPG": [("2", 0.9, [0.4, 0.2, 0.2, 0.5])],
        }
    )  # fmt: skip
    client.force_login(ranger)
    response = _post(client, project, deployment, {"card.zip": card}, raw,
                     django_capture_on_commit_callbacks)  # fmt: skip
    batch = Batch.objects.get()
    assert response.status_code == 302 and batch.detections_file

    detect_batch(batch.pk)  # what the gpu worker runs after ingest

    batch.refresh_from_db()
    assert batch.detections_report["matched"] == 3
    media = {m.original_name: m for m in Media.objects.filter(batch=batch)}
    assert Sighting.objects.filter(media=media["DCIM/100RECNX/RCNX0000.JPG"]).count() == 2
    assert media["DCIM/100RECNX/RCNX0001.JPG"].is_blank
    assert not Sighting.objects.filter(media=media["DCIM/100RECNX/RCNX0002.JPG"]).exists()
    page = client.get(batch.get_absolute_url()).content.decode()
    assert "card.json: 3 images matched" in page
    assert "1 blank frame" in page


def test_a_file_that_is_not_megadetector_output_is_refused_with_the_upload(
    client, project, deployment, ranger, django_capture_on_commit_callbacks
):
    frames, _ = camera_burst(seed=42, frames=1)
    client.force_login(ranger)
    response = _post(client, project, deployment, {"a.jpg": _jpeg(frames[0])},
                     b'{"images": "nope"}', django_capture_on_commit_callbacks)  # fmt: skip
    assert response.status_code == 200
    assert "Not applied: not MegaDetector output" in response.content.decode()
    assert not Batch.objects.exists()
