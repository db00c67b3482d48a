"""The Camtrap DP package of a project built here validates against the official 1.0.2
profile and table schemas, and says what the app knows."""

import datetime as dt

import pytest

from identification.models import Media, Sighting
from identification.services.exports.camtrapdp import PROFILE_URL, stream_camtrapdp
from tests.camtrapdp import camtrap_dp_dir, package_errors, read_package

pytestmark = pytest.mark.django_db


def event_of(sighting) -> str:
    return str(Media.objects.get(pk=sighting.media_id).event_id)


@pytest.fixture
def package(project, camtrap_survey) -> bytes:
    camtrap_dp_dir()
    return b"".join(stream_camtrapdp(project, Sighting.objects.filter(project=project)))


def test_package_has_zero_validation_errors(package):
    assert package_errors(package) == []


def test_descriptor_declares_individuals_and_coverage(package, project, deployment):
    descriptor, _ = read_package(package)
    assert descriptor["profile"] == PROFILE_URL
    assert descriptor["project"]["individualAnimals"] is True
    assert descriptor["taxonomic"] == [
        {"scientificName": "Tragelaphus angasii", "taxonRank": "species"}
    ]
    # CAM-01 spans its images (5 March); CAM-02 declares 1-20 March.
    assert descriptor["temporal"] == {"start": "2024-03-01", "end": "2024-03-20"}
    ring = descriptor["spatial"]["coordinates"][0]
    assert ring[0] == [32.3, -28.1] and ring[2] == [32.6, -27.9]
    assert [r["schema"].rsplit("/", 2)[-2] for r in descriptor["resources"]] == ["1.0.2"] * 3


def test_confirmed_sighting_is_a_human_classification_with_its_box(package, camtrap_survey):
    _, tables = read_package(package)
    rows = {r["observationID"]: r for r in tables["observations"]}
    row = rows[str(camtrap_survey["confirmed"].pk)]
    assert row["individualID"] == "A0"
    assert row["classificationMethod"] == "human"
    assert row["classifiedBy"] == "expert"
    assert row["classificationProbability"] == ""
    assert row["sex"] == "female"
    assert row["scientificName"] == "Tragelaphus angasii"
    assert [float(row[k]) for k in ("bboxX", "bboxY", "bboxWidth", "bboxHeight")] == [
        0.1, 0.2, 0.3, 0.4,
    ]  # fmt: skip
    assert row["eventID"] == str(
        Media.objects.get(pk=camtrap_survey["confirmed"].media_id).event_id
    )


def test_unreviewed_sightings_carry_the_machine_proposal_or_none(package, camtrap_survey):
    _, tables = read_package(package)
    rows = {r["observationID"]: r for r in tables["observations"]}
    proposed = rows[str(camtrap_survey["proposed"].pk)]
    assert (proposed["individualID"], proposed["classificationMethod"]) == ("A1", "machine")
    assert float(proposed["classificationProbability"]) == pytest.approx(0.83)
    assert "test-model" in proposed["classifiedBy"]
    new = rows[str(camtrap_survey["new"].pk)]
    assert new["classificationMethod"] == "machine" and new["individualID"] == ""
    assert "new individual" in new["observationComments"]
    assert rows[str(camtrap_survey["unmatched"].pk)]["observationType"] == "unclassified"
    discarded = rows[str(camtrap_survey["discarded"].pk)]
    assert (discarded["observationType"], discarded["classificationMethod"]) == ("blank", "human")


def test_one_event_observation_per_event_and_individual(package, camtrap_survey):
    _, tables = read_package(package)
    events = [r for r in tables["observations"] if r["observationLevel"] == "event"]
    # Two confirmed images of A0, five seconds apart: one burst, one event-level row.
    assert len(events) == 1
    assert events[0]["individualID"] == "A0" and events[0]["count"] == "1"
    assert events[0]["eventID"] == str(
        Media.objects.get(pk=camtrap_survey["confirmed"].media_id).event_id
    )
    start = dt.datetime.fromisoformat(events[0]["eventStart"])
    end = dt.datetime.fromisoformat(events[0]["eventEnd"])
    assert end - start == dt.timedelta(seconds=5)


def test_media_rows_carry_timestamps_with_offset_and_app_urls(package, project, camtrap_survey):
    _, tables = read_package(package)
    media = {r["mediaID"]: r for r in tables["media"]}
    m = camtrap_survey["confirmed"].media
    row = media[str(m.pk)]
    assert dt.datetime.fromisoformat(row["timestamp"]) == m.taken_at
    assert row["timestamp"].endswith("+00:00")
    assert row["filePath"] == f"p/{project.slug}/media/{m.pk}/image/"
    assert row["deploymentID"] == "CAM-01" and row["fileName"] == "c1.JPG"
    assert len(tables["deployments"]) == 2


def test_project_time_zone_sets_the_offsets(project, camtrap_survey):
    camtrap_dp_dir()
    project.time_zone = "Africa/Johannesburg"
    project.save()
    package = b"".join(stream_camtrapdp(project, Sighting.objects.filter(project=project)))
    _, tables = read_package(package)
    assert all(r["timestamp"].endswith("+02:00") for r in tables["media"])
    assert package_errors(package) == []
