"""Every export URL: outsiders get 404, anonymous users the login page, every member role 200."""

import importlib.util

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

HISTORY = "?start=2024-05-01&end=2024-05-14&days=7&format=secr"
CAMTRAPDP_MISSING = importlib.util.find_spec("identification.services.exports.camtrapdp") is None
URLS = [
    ("exports", ""),
    ("export_sightings", ""),
    ("export_sightings", "?status=confirmed"),
    ("export_capture_history", HISTORY),
    ("export_capture_history", HISTORY.replace("secr", "mark")),
    pytest.param(
        "export_camtrapdp",
        "",
        marks=pytest.mark.skipif(CAMTRAPDP_MISSING, reason="Camtrap DP module not written yet"),
    ),
]


def url(project, name, query):
    return reverse(name, args=[project.slug]) + query


@pytest.mark.parametrize(("name", "query"), URLS)
def test_outsider_gets_404(client_of, outsider, other_project, project, export_world, name, query):
    assert client_of(outsider).get(url(project, name, query)).status_code == 404


@pytest.mark.parametrize(("name", "query"), URLS)
def test_anonymous_is_sent_to_sign_in(client, project, export_world, name, query):
    response = client.get(url(project, name, query))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ["ranger", "expert", "admin_user"])
@pytest.mark.parametrize(("name", "query"), URLS)
def test_every_member_role_may_download(
    request, client_of, project, export_world, role, name, query
):
    response = client_of(request.getfixturevalue(role)).get(url(project, name, query))
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body  # a real file, not an empty answer


@pytest.mark.skipif(CAMTRAPDP_MISSING, reason="Camtrap DP module not written yet")
def test_camtrapdp_download_is_a_named_zip(client_of, ranger, project, export_world):
    response = client_of(ranger).get(url(project, "export_camtrapdp", "?status=confirmed"))
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == 'attachment; filename="nyala-survey-camtrapdp.zip"'
    assert b"".join(response.streaming_content)[:2] == b"PK"
