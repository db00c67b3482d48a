"""The project page has an Exports section linking to the exports page and its forms."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_project_page_links_to_exports(client_of, ranger, project):
    html = client_of(ranger).get(reverse("project_detail", args=[project.slug])).content.decode()
    assert '<section id="project-exports">' in html
    assert f'href="{reverse("exports", args=[project.slug])}"' in html


def test_exports_page_offers_every_download(client_of, expert, project, export_world):
    response = client_of(expert).get(reverse("exports", args=[project.slug]))
    html = response.content.decode()
    assert response.status_code == 200
    for name in ("export_sightings", "export_capture_history", "export_camtrapdp"):
        assert reverse(name, args=[project.slug]) in html
    # deployments and batches to filter by, and the history's dates preset to the survey
    assert "CAM-D" in html and f'value="{export_world["batch"].pk}"' in html
    assert 'name="start" value="2024-05-01"' in html and 'name="end" value="2024-05-20"' in html
    for status in ("confirmed", "proposed_new", "pending", "rejected"):
        assert f'value="{status}"' in html
