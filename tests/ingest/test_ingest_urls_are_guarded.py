"""Every ingest URL answers 404 to a non-member and checks roles for what it changes."""

import pytest
from django.urls import reverse

from identification import urls as project_urls
from identification.models import Batch
from tests.images import jpeg_bytes

pytestmark = pytest.mark.django_db

# URL name -> which stored object its pk argument is (None: only the project slug).
INGEST_URLS = {
    "deployment_list": None,
    "deployment_create": None,
    "deployment_edit": "deployment",
    "batch_create": None,
    "batch_list": None,
    "batch_detail": "batch",
    "media_detail": "media",
    "media_file": "media",
    "media_thumbnail": "media",
    "batch_detections": "batch",
    "media_add_box": "media",
}
CHANGING_URLS = ["deployment_create", "deployment_edit", "batch_create"]
# Forms posted from a page (a detection file, a drawn box): a GET is refused (405) before
# anything is looked up, so they are probed with POSTs.
POST_ONLY = ["batch_detections", "media_add_box"]


def _probe(client, name: str, url: str):
    return client.post(url, {}) if name in POST_ONLY else client.get(url)


def test_the_list_covers_every_url_of_the_ingest_views():
    ingest_views = {"deployments", "batches", "media"}
    names = {
        p.name
        for p in project_urls.project_patterns
        if p.callback.__module__.rsplit(".", 1)[-1] in ingest_views
    }
    assert names == set(INGEST_URLS)


@pytest.fixture
def stored(upload, project, deployment):
    upload({"a.jpg": jpeg_bytes(seed=1)}, deployment)
    batch = Batch.objects.get(project=project)
    return {"batch": batch, "media": batch.media.get(), "deployment": deployment}


def _url(name: str, slug: str, stored: dict) -> str:
    obj = INGEST_URLS[name]
    return reverse(name, args=[slug] if obj is None else [slug, stored[obj].pk])


@pytest.mark.parametrize("name", INGEST_URLS)
def test_a_non_member_gets_404(name, client_of, outsider, other_project, project, stored):
    client = client_of(outsider)
    assert _probe(client, name, _url(name, project.slug, stored)).status_code == 404
    if name in CHANGING_URLS:
        assert client.post(_url(name, project.slug, stored), {"code": "X"}).status_code == 404


@pytest.mark.parametrize("name", [n for n, obj in INGEST_URLS.items() if obj])
def test_another_projects_objects_are_404_through_the_outsiders_own_project(
    name, client_of, outsider, other_project, project, stored
):
    # The outsider is admin of other_project: its slug must not reach this project's ids.
    client = client_of(outsider)
    assert _probe(client, name, _url(name, other_project.slug, stored)).status_code == 404


@pytest.mark.parametrize("name", INGEST_URLS)
def test_an_anonymous_visitor_is_sent_to_sign_in(name, client, project, stored):
    client.logout()  # the upload fixture signed the shared client in
    response = client.get(_url(name, project.slug, stored))
    assert response.status_code == 302 and "/login" in response["Location"]


@pytest.mark.parametrize("name", INGEST_URLS)
@pytest.mark.parametrize("role", ["ranger", "expert", "admin_user"])
def test_members_see_every_page_they_may_use(name, role, request, client_of, project, stored):
    user = request.getfixturevalue(role)
    status = client_of(user).get(_url(name, project.slug, stored)).status_code
    expected = 403 if name == "deployment_edit" and role != "admin_user" else 200
    if name in POST_ONLY:
        expected = 405
    assert status == expected


def test_the_image_is_served_with_its_bytes(client_of, ranger, project, stored):
    media = stored["media"]
    response = client_of(ranger).get(reverse("media_file", args=[project.slug, media.pk]))
    with media.file.open("rb") as handle:
        assert b"".join(response.streaming_content) == handle.read()
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"].startswith("private")


def test_only_admins_edit_deployments_but_rangers_may_add_them(client_of, ranger, project, stored):
    edit = reverse("deployment_edit", args=[project.slug, stored["deployment"].pk])
    assert client_of(ranger).post(edit, {"code": "RENAMED"}).status_code == 403
    create = reverse("deployment_create", args=[project.slug])
    response = client_of(ranger).post(create, {"code": "CAM-09", "latitude": "-27.1"})
    assert response.status_code == 302
    assert project.deployments.filter(code="CAM-09").exists()
