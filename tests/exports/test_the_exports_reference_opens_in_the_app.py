"""The exports page's column reference is a page of the app, not a path in the repository a
web user cannot open (#14)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_exports_page_links_to_the_reference_rendered_in_the_app(client_of, ranger, project):
    client = client_of(ranger)
    page = client.get(reverse("exports", args=[project.slug])).text
    help_url = reverse("help_page", args=["exports"])
    assert f'href="{help_url}"' in page and "docs/exports.md" not in page

    reference = client.get(help_url)
    assert reference.status_code == 200
    html = reference.text
    assert "<h2>Sightings CSV</h2>" in html and "<h2>Camtrap DP</h2>" in html
    assert "<table>" in html, "the column tables are rendered"
    assert "<title>Exports and imports" in html


def test_only_the_user_documentation_is_served_and_only_to_signed_in_users(
    client, client_of, ranger
):
    assert client.get(reverse("help_page", args=["exports"])).status_code == 302
    signed_in = client_of(ranger)
    for page in ("decisions", "benchmarks", "pipeline", "nothing"):
        assert signed_in.get(reverse("help_page", args=[page])).status_code == 404
