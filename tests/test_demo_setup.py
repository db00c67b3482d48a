import pytest
from django.core.management import call_command

from identification.models import Batch, Project, Sighting
from identification.services.exports import camtrapdp

pytestmark = pytest.mark.django_db


def test_demo_setup_creates_users_project_gallery_and_a_batch(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("demo_setup")
    project = Project.objects.get(slug="demo")
    assert {m.user.username: m.role for m in project.memberships.all()} == {
        "demo": "admin",
        "expert": "expert",
        "ranger": "ranger",
    }
    confirmed = project.sightings.filter(status=Sighting.Status.CONFIRMED)
    assert confirmed.count() == 30
    assert project.individuals.count() == 10
    batch = Batch.objects.get(project=project)
    assert batch.status == Batch.Status.DONE and batch.counts()["accepted"] == 16
    assert project.sightings.filter(status=Sighting.Status.PENDING).count() == 16
    events = {m.event_id for m in batch.media.all()}
    assert len(events) == 8 and None not in events, "eight two-frame bursts"
    # The export's deploymentStart / deploymentEnd (#14: the start was after the end).
    (deployment,) = camtrapdp._deployments(project, project.media.all())
    start, end = camtrapdp._period(deployment)
    assert start is not None and end is not None and start <= end, (start, end)


def test_demo_setup_twice_changes_nothing(capsys):
    call_command("demo_setup")
    call_command("demo_setup")
    assert Project.objects.filter(slug="demo").count() == 1
    assert "exists already" in capsys.readouterr().out
