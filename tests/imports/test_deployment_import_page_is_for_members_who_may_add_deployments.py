"""The deployments import page: 404 for outsiders, open to every member who may add a
deployment (roles are cumulative: ranger, expert, admin), linked from the deployments list."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from identification.models import Deployment

pytestmark = pytest.mark.django_db

CSV = b"deploymentID,latitude,longitude\nCAM-07,-27.0,32.0\n"


def url(project):
    return reverse("deployment_import", args=[project.slug])


def test_anonymous_is_sent_to_sign_in(client, project):
    response = client.get(url(project))
    assert response.status_code == 302 and "login" in response["Location"]


def test_outsider_gets_404(client_of, outsider, other_project, project):
    assert client_of(outsider).get(url(project)).status_code == 404


@pytest.mark.parametrize("who", ["ranger", "expert", "admin_user"])
def test_ranger_expert_and_admin_import(request, client_of, project, who):
    client = client_of(request.getfixturevalue(who))
    listing = client.get(reverse("deployment_list", args=[project.slug])).content.decode()
    assert url(project) in listing
    assert client.get(url(project)).status_code == 200
    response = client.post(url(project), {"file": SimpleUploadedFile("d.csv", CSV)})
    assert response.status_code == 302
    assert Deployment.objects.get(project=project, code="CAM-07").latitude == -27.0


def test_ranger_cannot_update_an_existing_deployment(client_of, ranger, project, deployment):
    response = client_of(ranger).post(
        url(project),
        {"file": SimpleUploadedFile("d.csv", b"deploymentID,latitude,longitude\nCAM-01,1,2\n")},
    )
    assert response.status_code == 400
    assert "only a project admin may update it" in response.content.decode()
    deployment.refresh_from_db()
    assert deployment.latitude == -27.9
