"""Bad options re-render the exports page with a clear message and status 400, never a 500."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

CSV_CASES = [
    ({"date_from": "2024-05-09", "date_to": "2024-05-01"}, "after the “to” date"),
    ({"date_from": "last tuesday"}, "Enter a valid date"),
    ({"status": "maybe"}, "Select a valid choice"),
    ({"deployment": "CAM-99"}, "no deployment CAM-99"),
    ({"batch": "999999"}, "no batch 999999"),
    ({"batch": "x"}, "Enter a whole number"),
]
GOOD = {"start": "2024-05-01", "end": "2024-05-14", "days": 1, "format": "secr"}
HISTORY_CASES = [
    ({**GOOD, "start": "2024-05-15"}, "is after the last"),
    ({**GOOD, "days": 0}, "greater than or equal to 1"),
    ({**GOOD, "format": "xls"}, "Select a valid choice"),
    ({**GOOD, "start": "2000-01-01"}, "at most 3660 days"),
    ({k: v for k, v in GOOD.items() if k != "start"}, "This field is required"),
    ({**GOOD, "usage": "weekly"}, "Select a valid choice"),
]


@pytest.mark.parametrize("url_name", ["export_sightings", "export_camtrapdp"])
@pytest.mark.parametrize(("query", "message"), CSV_CASES)
def test_bad_filters(client_of, ranger, project, export_world, url_name, query, message):
    response = client_of(ranger).get(reverse(url_name, args=[project.slug]), query)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert message in response.content.decode()
    assert 'id="export-sightings"' in response.content.decode()


@pytest.mark.parametrize(("query", "message"), HISTORY_CASES)
def test_bad_capture_history_options(client_of, ranger, project, export_world, query, message):
    url = reverse("export_capture_history", args=[project.slug])
    response = client_of(ranger).get(url, query)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert 'id="export-capture-history"' in response.content.decode()
