"""In an imported package, a human classification with an individualID confirms the sighting
as that individual; a machine's stays pending; blank images are discarded. The export says
the same back."""

import pytest
from django.core.management import call_command

from identification.models import Decision, Individual, Sighting
from identification.services.exports.camtrapdp import stream_camtrapdp
from identification.services.imports.camtrapdp import import_camtrapdp
from tests.camtrapdp import example_copy, package_errors, read_package

pytestmark = pytest.mark.django_db

LOCAL = ["7ab33b3a", "d9ef08ec", "aebe5b85", "e638613e", "c40a4854", "fd2f32cc", "b6a04f58"]
MACHINE = ["9c58aea8", "ad03acb4"]
BLANK = "3b185b03"
HUMAN = {
    "individualID": "HERON-1",
    "classificationMethod": "human",
    "classifiedBy": "Peter Desmet",
    "classificationTimestamp": "2021-07-06T10:00:00Z",
}


def annotate(rows):
    for row in rows:
        if row["mediaID"] in LOCAL:
            row.update(HUMAN)
        elif row["mediaID"] in MACHINE:
            row.update(individualID="HERON-2", classificationMethod="machine")
        elif row["mediaID"] == BLANK:
            row.update(observationType="blank", scientificName="", bboxX="", bboxY="",
                       bboxWidth="", bboxHeight="")  # fmt: skip


@pytest.fixture
def package_dir(tmp_path):
    return example_copy(tmp_path / "heron", annotate)


@pytest.fixture
def heron_project(project):
    project.species = "Ardea"
    project.save()
    return project


def test_human_ids_confirm_machine_ids_wait(heron_project, package_dir, admin_user):
    result = import_camtrapdp(heron_project, package_dir, by=admin_user)
    assert (result.confirmed, result.pending, result.discarded) == (7, 2, 1)
    assert result.individuals_created == 1
    heron = Individual.objects.get(project=heron_project, code="HERON-1")
    assert not Individual.objects.filter(code="HERON-2").exists()
    confirmed = Sighting.objects.filter(status=Sighting.Status.CONFIRMED)
    assert set(confirmed.values_list("individual", flat=True)) == {heron.pk}
    assert confirmed.first().decided_at.isoformat() == "2021-07-06T10:00:00+00:00"
    trail = Decision.objects.filter(project=heron_project, action=Decision.Action.CONFIRM)
    assert trail.count() == 7 and all(d.user == admin_user for d in trail)
    assert Sighting.objects.filter(status=Sighting.Status.REJECTED).count() == 1


def test_export_gives_the_classifications_back(heron_project, package_dir):
    import_camtrapdp(heron_project, package_dir)
    package = b"".join(stream_camtrapdp(heron_project, heron_project.sightings.all()))
    assert package_errors(package) == []
    _, tables = read_package(package)
    media_level = [r for r in tables["observations"] if r["observationLevel"] == "media"]
    human = [r for r in media_level if r["classificationMethod"] == "human" and r["individualID"]]
    assert len(human) == 7
    assert {(r["individualID"], r["classifiedBy"]) for r in human} == {("HERON-1", "Peter Desmet")}
    assert sum(r["observationType"] == "blank" for r in media_level) == 1
    assert sum(r["observationType"] == "unclassified" for r in media_level) == 2
    (event_row,) = [r for r in tables["observations"] if r["observationLevel"] == "event"]
    assert (event_row["individualID"], event_row["count"]) == ("HERON-1", "1")


def test_command_imports_a_zip(heron_project, package_dir, tmp_path, capsys):
    import shutil

    archive = shutil.make_archive(str(tmp_path / "heron"), "zip", package_dir.parent, "heron")
    call_command("import_camtrapdp", heron_project.slug, archive)
    out = capsys.readouterr().out
    assert "10 stored" in out and "7 confirmed, 2 pending, 1 discarded" in out
    assert heron_project.media.count() == 10
