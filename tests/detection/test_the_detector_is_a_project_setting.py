"""Admins choose the detector and its threshold per project; MegaDetector only when its
weights are installed on the server."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _settings(project, **changes):
    data = {
        "name": project.name, "description": "", "species": project.species,
        "time_zone": "UTC", "event_gap_seconds": 60, "individual_code_prefix": "IND-",
        "new_individual_threshold": 0.5, "auto_threshold": "on",
        "earliest_capture_date": "1990-01-01", "latest_capture_date": "",
        "detector": "auto", "detection_threshold": 0.2,
    }  # fmt: skip
    return {**data, **changes}


def test_an_admin_sets_motion_detection_at_a_higher_threshold(client, project, admin_user):
    client.force_login(admin_user)
    url = reverse("project_settings", args=[project.slug])
    response = client.post(url, _settings(project, detector="motion", detection_threshold=0.5))
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.detector, project.detection_threshold) == ("motion", 0.5)


def test_megadetector_without_weights_is_refused_saying_why(client, project, admin_user, settings):
    settings.REIDSITE_DETECTOR_WEIGHTS = None
    client.force_login(admin_user)
    url = reverse("project_settings", args=[project.slug])
    response = client.post(url, _settings(project, detector="megadetector"))
    assert response.status_code == 200
    assert "REIDSITE_DETECTOR_WEIGHTS" in response.text
    response = client.post(url, _settings(project, detection_threshold=1.5))
    assert "between 0 and 1" in response.text
    project.refresh_from_db()
    assert (project.detector, project.detection_threshold) == ("auto", 0.2)
