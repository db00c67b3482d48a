"""A frame with nothing at or above the threshold is blank: kept, counted, never in the
review queue, exported as a blank observation (and persons/vehicles as human/vehicle)."""

import pytest
from django.urls import reverse

from identification.services import detection_import
from identification.services.review_queue import QueueFilters, counts, next_for
from identification.services.synthetic import camera_burst
from tests.camtrapdp import package_errors, read_package
from tests.detection.mdfiles import md_file
from tests.factories import camera_batch

pytestmark = pytest.mark.django_db

BOX = [0.2, 0.3, 0.3, 0.3]


@pytest.fixture
def detected(project, deployment):
    frames, _ = camera_burst(seed=8, frames=4)
    batch, media = camera_batch(project, frames, deployment=deployment)
    raw = md_file(
        {
            media[0].original_name: [("1", 0.9, BOX)],
            media[1].original_name: [("1", 0.1, BOX)],  # under the threshold: blank
            media[2].original_name: [],
            media[3].original_name: [("2", 0.8, BOX)],
        }
    )
    detection_import.import_file(batch, raw, "md.json")
    return batch, media


def test_frames_waiting_for_detection_are_not_in_the_queue(project, deployment, expert):
    frames, _ = camera_burst(seed=9, frames=2)
    camera_batch(project, frames, deployment=deployment)
    assert counts(project, QueueFilters())["pending"] == 0
    assert next_for(project, expert, QueueFilters()) is None


def test_blank_frames_are_counted_and_only_the_animal_is_queued(project, detected, expert):
    batch, media = detected
    assert counts(project, QueueFilters())["pending"] == 1
    first = next_for(project, expert, QueueFilters())
    assert first is not None and media[0].sightings.filter(pk=first).exists()
    assert next_for(project, expert, QueueFilters(), exclude=[first]) is None


def test_the_batch_page_says_how_many_frames_were_blank(client, project, detected, ranger):
    batch, _ = detected
    client.force_login(ranger)
    page = client.get(reverse("batch_detail", args=[project.slug, batch.pk])).content.decode()
    assert "2 blank frames" in page
    assert "1 with people" in page


def test_camtrap_dp_holds_blank_and_human_observations(client, project, detected, admin_user):
    batch, media = detected
    client.force_login(admin_user)
    response = client.get(reverse("export_camtrapdp", args=[project.slug]))
    package = b"".join(response.streaming_content)
    _, tables = read_package(package)
    by_media: dict[str, list[str]] = {}
    for row in tables["observations"]:
        if row["observationLevel"] == "media":
            by_media.setdefault(row["mediaID"], []).append(row["observationType"])
    assert by_media[str(media[1].pk)] == ["blank"]
    assert by_media[str(media[2].pk)] == ["blank"]
    assert by_media[str(media[3].pk)] == ["human"]
    assert {row["mediaID"] for row in tables["media"]} == {str(m.pk) for m in media}
    human = next(r for r in tables["observations"] if r["observationType"] == "human")
    assert human["classificationMethod"] == "machine" and human["bboxWidth"] == "0.3"
    errors = package_errors(package)
    assert errors == [], errors
