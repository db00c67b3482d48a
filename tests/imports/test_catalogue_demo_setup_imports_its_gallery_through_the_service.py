"""`demo_setup --data DIR` imports the train split as a catalogue (an IMPORT batch, with
decisions) and queues the test split as a batch to review."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from identification.models import Batch, Decision, Project, Sighting

from .catalogues import nyala_catalogue

pytestmark = pytest.mark.django_db


def test_the_train_split_becomes_the_gallery_and_the_test_split_a_batch(
    tmp_path, django_capture_on_commit_callbacks
):
    root = nyala_catalogue(tmp_path / "nyala")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("demo_setup", "--data", str(root))
    project = Project.objects.get(slug="demo")
    imported = Batch.objects.get(project=project, kind=Batch.Kind.IMPORT)
    assert imported.archive_name == "nyala (train split)"
    gallery = project.sightings.filter(status=Sighting.Status.CONFIRMED)
    assert sorted(gallery.values_list("individual__code", flat=True)) == ["N1", "N1", "N2", "N3"]
    assert {s.media.batch_id for s in gallery} == {imported.pk}
    assert {s.media.deployment.code for s in gallery} == {"CAM-01"}
    decisions = Decision.objects.filter(project=project)
    assert decisions.count() == 4 and {d.user.username for d in decisions} == {"demo"}
    queued = Batch.objects.get(project=project, kind=Batch.Kind.FILES)
    assert queued.status == Batch.Status.DONE and queued.counts()["accepted"] == 2
    assert project.sightings.filter(status=Sighting.Status.PENDING).count() == 2


def test_a_broken_dataset_names_the_line_and_creates_no_project(tmp_path):
    root = nyala_catalogue(tmp_path / "nyala")
    (root / "images/N2/0.jpg").unlink()
    with pytest.raises(CommandError, match="metadata.csv line 4: file images/N2/0.jpg not found"):
        call_command("demo_setup", "--data", str(root))
    assert not Project.objects.filter(slug="demo").exists()
