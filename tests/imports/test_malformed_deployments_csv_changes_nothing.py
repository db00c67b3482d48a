"""A deployments CSV with bad lines imports nothing, and says which lines and why, on the
page and from the command."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from identification.models import Deployment

pytestmark = pytest.mark.django_db

BAD = (
    "deploymentID,latitude,longitude,deploymentStart,deploymentEnd,baitUse\n"
    "CAM-10,-27.1,32.0,2024-01-01T00:00:00Z,2024-02-01T00:00:00Z,false\n"
    "CAM-11,123.4,32.0,,,\n"
    "CAM-12,-27.2,32.0,2024-13-01,,maybe\n"
    "CAM-10,-27.3,32.0,,,\n"
    "CAM-01,-99,32.0,2024-03-01T00:00:00Z,2024-02-01T00:00:00Z,\n"
)
EXPECTED = [
    "line 3: latitude 123.4 is outside −90…90",
    "line 4: deploymentStart '2024-13-01' is not a date and time (YYYY-MM-DDThh:mm:ss±hh:mm)",
    "line 4: baitUse 'maybe' is not true or false",
    "line 5: deploymentID CAM-10 is also on line 2",
    "line 6: latitude −99 is outside −90…90",
    "line 6: deploymentEnd 2024-02-01T00:00:00+00:00 is before deploymentStart",
]


def snapshot(project):
    return list(Deployment.objects.filter(project=project).order_by("pk").values())


def test_page_lists_every_bad_line_and_imports_nothing(client_of, admin_user, project, deployment):
    before = snapshot(project)
    response = client_of(admin_user).post(
        reverse("deployment_import", args=[project.slug]),
        {"file": SimpleUploadedFile("deployments.csv", BAD.encode())},
    )
    assert response.status_code == 400
    assert response.context["problems"] == EXPECTED
    assert "line 3: latitude 123.4 is outside −90…90" in response.content.decode()
    assert snapshot(project) == before


def test_command_fails_naming_the_lines_and_imports_nothing(project, deployment, tmp_path):
    before = snapshot(project)
    path = tmp_path / "deployments.csv"
    path.write_text(BAD)
    with pytest.raises(CommandError) as failed:
        call_command("import_deployments", project.slug, str(path))
    message = str(failed.value)
    assert "nothing imported; 6 problem(s)" in message
    assert all(line in message for line in EXPECTED)
    assert snapshot(project) == before


def test_a_file_without_deployment_ids_is_refused(project, tmp_path):
    path = tmp_path / "stations.csv"
    path.write_text("station,lat,lon\nA,1,2\n")
    with pytest.raises(CommandError, match="line 1: the header has no deploymentID column"):
        call_command("import_deployments", project.slug, str(path))
    assert not Deployment.objects.filter(project=project).exists()
