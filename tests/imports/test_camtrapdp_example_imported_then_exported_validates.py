"""The official Camtrap DP example, imported and exported again, still validates and keeps
its ten local images' timestamps, boxes and event."""

import csv
import datetime as dt

import pytest

from identification.models import Deployment, Event, Media, Sighting
from identification.services.exports.camtrapdp import stream_camtrapdp
from identification.services.imports.camtrapdp import import_camtrapdp
from tests.camtrapdp import example_dir, package_errors, read_package

pytestmark = pytest.mark.django_db


def official(name: str) -> list[dict]:
    with (example_dir() / name).open(newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def imported(project):
    # The example's ten local images show a heron; the project re-identifies that genus.
    project.species = "Ardea"
    project.save()
    return import_camtrapdp(project, example_dir())


def test_import_counts(project, imported):
    assert (imported.deployments_created, imported.media_stored) == (4, 10)
    assert imported.media_not_in_package == len(official("media.csv")) - 10
    assert (imported.pending, imported.confirmed, imported.events) == (10, 0, 1)
    assert imported.problems == []
    assert Deployment.objects.filter(project=project).count() == 4


def test_media_keep_the_packages_timestamps_and_event(project, imported):
    stamps = {
        r["fileName"]: dt.datetime.fromisoformat(r["timestamp"]) for r in official("media.csv")
    }
    media = list(Media.objects.filter(project=project))
    assert len(media) == 10
    assert all(m.taken_at == stamps[m.original_name] for m in media)
    assert all(m.deployment.code == "62c200a9" for m in media)
    (event,) = Event.objects.filter(project=project)
    # The official event-level observation of event 7245a2aa spans these times.
    assert event.start == dt.datetime(2021, 4, 11, 19, 43, 9, tzinfo=dt.UTC)
    assert event.end == dt.datetime(2021, 4, 11, 19, 43, 15, tzinfo=dt.UTC)
    assert {m.event_id for m in media} == {event.pk}


def test_boxes_become_sightings_pending_review(project, imported):
    boxes = {
        r["mediaID"]: [float(r[k]) for k in ("bboxX", "bboxY", "bboxWidth", "bboxHeight")]
        for r in official("observations.csv") if r["bboxX"]
    }  # fmt: skip
    ids = {r["fileName"]: r["mediaID"] for r in official("media.csv")}
    sightings = Sighting.objects.filter(project=project).select_related("media")
    assert sightings.count() == 10
    for s in sightings:
        assert s.status == Sighting.Status.PENDING
        expected = boxes[ids[s.media.original_name]]
        assert [s.bbox_x, s.bbox_y, s.bbox_width, s.bbox_height] == expected


def test_re_export_validates_and_keeps_timestamps_and_events(project, imported):
    package = b"".join(stream_camtrapdp(project, Sighting.objects.filter(project=project)))
    assert package_errors(package) == []
    descriptor, tables = read_package(package)
    stamps = {
        r["fileName"]: dt.datetime.fromisoformat(r["timestamp"]) for r in official("media.csv")
    }
    assert len(tables["media"]) == 10
    for row in tables["media"]:
        assert dt.datetime.fromisoformat(row["timestamp"]) == stamps[row["fileName"]]
    assert {r["deploymentID"] for r in tables["deployments"]} == {"62c200a9"}
    observations = tables["observations"]
    assert len({r["eventID"] for r in observations}) == 1
    assert all(r["bboxX"] for r in observations)
    assert descriptor["temporal"] == {"start": "2021-03-27", "end": "2021-04-18"}
    assert descriptor["taxonomic"] == [{"scientificName": "Ardea", "taxonRank": "genus"}]


def test_importing_twice_stores_nothing_twice(project, imported):
    again = import_camtrapdp(project, example_dir())
    assert (again.media_stored, again.media_existing, again.deployments_updated) == (0, 10, 4)
    assert Media.objects.filter(project=project).count() == 10
    assert Sighting.objects.filter(project=project).count() == 10
