"""Staff in the Django admin see identity read-only: status, individual and merges change
only through decisions, which the trail records and the matcher hears about."""

import pytest
from django.urls import reverse

from identification.models import Individual, Sighting
from tests.factories import add_individual, add_sighting

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("root", password="pw-root")
    client.force_login(user)
    return client


def test_posting_a_new_status_and_individual_changes_nothing(staff_client, project):
    alpha = add_individual(project, "IND-0001", images=1)
    sighting = add_sighting(project, p_new=0.4)
    url = reverse("admin:identification_sighting_change", args=[sighting.pk])
    page = staff_client.get(url)
    assert page.status_code == 200
    assert 'name="status"' not in page.text and 'name="individual"' not in page.text

    staff_client.post(url, {"status": "confirmed", "individual": alpha.pk, "side": "left"})

    sighting.refresh_from_db()
    assert (sighting.status, sighting.individual_id) == (Sighting.Status.PENDING, None)
    assert sighting.decisions.count() == 0


def test_an_individual_cannot_be_merged_or_renamed_in_the_admin(staff_client, project):
    alpha = add_individual(project, "IND-0001", images=1)
    bravo = add_individual(project, "IND-0002", images=1)
    url = reverse("admin:identification_individual_change", args=[alpha.pk])
    staff_client.post(url, {"merged_into": bravo.pk, "name": "Renamed", "sex": "female"})
    alpha.refresh_from_db()
    assert alpha.merged_into is None and alpha.name == ""
    assert alpha.sex == Individual.Sex.FEMALE  # descriptive fields stay editable


def test_a_pipeline_setting_with_a_typo_is_refused(staff_client, project):
    url = reverse("admin:identification_project_change", args=[project.pk])
    data = {
        "name": project.name, "slug": project.slug, "description": "", "species": "",
        "time_zone": "UTC", "event_gap_seconds": 60, "individual_code_prefix": "IND-",
        "new_individual_threshold": 0.5, "auto_threshold": "on",
        "reid_config": '{"shortlist_k": 40}',
        "memberships-TOTAL_FORMS": 0, "memberships-INITIAL_FORMS": 0,
    }  # fmt: skip
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert "Not a valid pipeline configuration" in response.text
    project.refresh_from_db()
    assert project.reid_config == {}
