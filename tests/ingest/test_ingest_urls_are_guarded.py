"""Every ingest URL answers 404 to a non-member and checks roles for what it changes."""

import pytest
from django.urls import reverse

from identification.models import Batch
from tests.images import jpeg_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def stored(upload, project, deployment):
    upload({"a.jpg": jpeg_bytes(seed=1)}, deployment)
    batch = Batch.objects.get(project=project)
    return {"batch": batch, "media": batch.media.get(), "deployment": deployment}


def _urls(project, stored) -> list[str]:
    slug, media = project.slug, stored["media"]
    return [
        reverse("deployment_list", args=[slug]),
        reverse("deployment_create", args=[slug]),
        reverse("deployment_edit", args=[slug, stored["deployment"].pk]),
        reverse("batch_create", args=[slug]),
        reverse("batch_list", args=[slug]),
        reverse("batch_detail", args=[slug, stored["batch"].pk]),
        reverse("media_detail", args=[slug, media.pk]),
        reverse("media_file", args=[slug, media.pk]),
        reverse("media_thumbnail", args=[slug, media.pk]),
    ]


def test_every_ingest_url_is_404_for_a_non_member(client_of, outsider, project, stored):
    client = client_of(outsider)
    for url in _urls(project, stored):
        assert client.get(url).status_code == 404, url


def test_members_can_see_every_ingest_page_and_image(client_of, admin_user, project, stored):
    client = client_of(admin_user)
    for url in _urls(project, stored):
        response = client.get(url)
        assert response.status_code == 200, url


def test_objects_of_another_project_are_404_even_for_its_ids(
    client_of, outsider, other_project, project, stored
):
    client = client_of(outsider)
    media = stored["media"]
    url = reverse("media_file", args=[other_project.slug, media.pk])
    assert client.get(url).status_code == 404
    url = reverse("batch_detail", args=[other_project.slug, stored["batch"].pk])
    assert client.get(url).status_code == 404


def test_the_image_is_served_with_its_bytes(client_of, ranger, project, stored):
    media = stored["media"]
    response = client_of(ranger).get(reverse("media_file", args=[project.slug, media.pk]))
    assert b"".join(response.streaming_content) == media.file.open("rb").read()
    assert response["Content-Type"] == "image/jpeg"


def test_only_admins_edit_deployments_but_rangers_may_add_them(
    client_of, ranger, admin_user, project, stored
):
    edit = reverse("deployment_edit", args=[project.slug, stored["deployment"].pk])
    assert client_of(ranger).get(edit).status_code == 403
    create = reverse("deployment_create", args=[project.slug])
    response = client_of(ranger).post(create, {"code": "CAM-09", "latitude": "-27.1"})
    assert response.status_code == 302
    assert project.deployments.filter(code="CAM-09").exists()


def test_deployment_with_impossible_values_is_refused(client_of, admin_user, project, stored):
    create = reverse("deployment_create", args=[project.slug])
    data = {
        "code": "CAM-01",
        "latitude": "123",
        "start": "2024-05-02T00:00",
        "end": "2024-05-01T00:00",
    }
    response = client_of(admin_user).post(create, data)
    assert response.status_code == 200
    assert "between -90 and 90" in response.text
    assert "already has a deployment" in response.text
    assert "ends before it starts" in response.text
