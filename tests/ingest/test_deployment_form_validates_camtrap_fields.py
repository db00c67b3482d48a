"""Deployments: Camtrap DP fields, validated; an admin edits them."""

import pytest
from django.urls import reverse

from identification.models import Deployment

pytestmark = pytest.mark.django_db


def test_impossible_coordinates_reversed_dates_and_a_taken_code_are_refused(
    client_of, admin_user, project, deployment
):
    create = reverse("deployment_create", args=[project.slug])
    data = {
        "code": "CAM-01",
        "latitude": "123",
        "longitude": "-181",
        "start": "2024-05-02T00:00",
        "end": "2024-05-01T00:00",
    }
    response = client_of(admin_user).post(create, data)
    assert response.status_code == 200
    assert "between -90 and 90" in response.text
    assert "between -180 and 180" in response.text
    assert "already has a deployment" in response.text
    assert "ends before it starts" in response.text
    assert Deployment.objects.count() == 1


def test_the_same_code_may_exist_in_another_project(client_of, outsider, other_project, deployment):
    create = reverse("deployment_create", args=[other_project.slug])
    response = client_of(outsider).post(create, {"code": deployment.code})
    assert response.status_code == 302
    assert other_project.deployments.filter(code=deployment.code).exists()


def test_an_admin_edits_a_deployment(client_of, admin_user, project, deployment):
    edit = reverse("deployment_edit", args=[project.slug, deployment.pk])
    data = {"code": "CAM-01", "name": "Waterhole south", "latitude": "-27.95", "longitude": "32.3"}
    assert client_of(admin_user).post(edit, data).status_code == 302
    deployment.refresh_from_db()
    assert deployment.name == "Waterhole south" and deployment.latitude == -27.95


def test_after_creating_a_deployment_the_ranger_returns_to_the_upload(client_of, ranger, project):
    upload = reverse("batch_create", args=[project.slug])
    create = reverse("deployment_create", args=[project.slug]) + f"?next={upload}"
    response = client_of(ranger).post(create, {"code": "CAM-07"})
    assert response["Location"] == upload
    evil = reverse("deployment_create", args=[project.slug]) + "?next=https://evil.example/"
    response = client_of(ranger).post(evil, {"code": "CAM-08"})
    assert "evil" not in response["Location"]
