"""Project.new_individual_threshold is the one threshold; `auto_threshold` decides whether a
calibration refit may replace it, and switching it off breaks nothing."""

import pytest
from django.urls import reverse

from identification.services import pipeline_results
from worker.reid import store

pytestmark = pytest.mark.django_db


def test_with_tuning_off_the_pipeline_still_runs_and_the_refit_keeps_the_admins_value(project):
    project.new_individual_threshold = 0.35
    project.auto_threshold = False
    project.save()
    assert store.project_config(project).config_key()  # no unknown-setting error any more

    pipeline_results.save_calibration_fit(project.pk, None, 0.8, {"refitted": False})

    project.refresh_from_db()
    assert project.new_individual_threshold == 0.35
    assert project.calibration["last_fit"]["threshold"] == 0.8
    assert project.calibration["last_fit"]["threshold_applied"] is False


def test_with_tuning_on_the_refit_sets_the_threshold(project):
    pipeline_results.save_calibration_fit(project.pk, None, 0.8, {"refitted": False})
    project.refresh_from_db()
    assert project.new_individual_threshold == 0.8
    assert project.calibration["last_fit"]["threshold_applied"] is True


def test_a_threshold_set_by_hand_switches_tuning_off(client_of, admin_user, project):
    data = {
        "name": project.name, "description": "", "species": project.species,
        "time_zone": "UTC", "event_gap_seconds": 60, "individual_code_prefix": "IND-",
        "new_individual_threshold": 0.3, "auto_threshold": "on",
        "earliest_capture_date": "1990-01-01", "latest_capture_date": "",
        "detector": "auto", "detection_threshold": 0.2,
    }  # fmt: skip
    response = client_of(admin_user).post(
        reverse("project_settings", args=[project.slug]), data, follow=True
    )
    assert "Automatic threshold tuning is now off" in response.text
    project.refresh_from_db()
    assert project.new_individual_threshold == 0.3
    assert project.auto_threshold is False
