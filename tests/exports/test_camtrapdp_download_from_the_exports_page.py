"""The exports page's Camtrap DP button streams the same valid package, filtered, with the
images' absolute URLs; other projects' members get 404."""

import pytest
from django.urls import reverse

from tests.camtrapdp import package_errors, read_package

pytestmark = pytest.mark.django_db


def test_member_downloads_a_valid_filtered_package(client_of, expert, project, camtrap_survey):
    url = reverse("export_camtrapdp", args=[project.slug])
    response = client_of(expert).get(url, {"status": "confirmed"})
    assert response.status_code == 200 and response.streaming
    package = b"".join(response.streaming_content)
    assert package_errors(package) == []
    _, tables = read_package(package)
    media_level = [r for r in tables["observations"] if r["observationLevel"] == "media"]
    assert {r["individualID"] for r in media_level} == {"A0"}
    assert all(r["filePath"].startswith("http://testserver/p/") for r in tables["media"])


def test_outsider_gets_404(client_of, outsider, other_project, project):
    url = reverse("export_camtrapdp", args=[project.slug])
    assert client_of(outsider).get(url).status_code == 404
