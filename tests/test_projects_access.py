import pytest
from django.urls import reverse

from identification.models import Membership, Role

pytestmark = pytest.mark.django_db


def test_user_sees_only_projects_they_belong_to(client_of, ranger, project, other_project):
    response = client_of(ranger).get(reverse("project_list"))
    assert response.status_code == 200
    assert project.name in response.text
    assert other_project.name not in response.text


@pytest.mark.parametrize("name", ["project_detail", "member_list", "project_settings"])
def test_project_urls_answer_404_to_non_members(client_of, outsider, project, name):
    response = client_of(outsider).get(reverse(name, args=[project.slug]))
    assert response.status_code == 404


def test_anonymous_user_is_sent_to_sign_in(client, project):
    response = client.get(reverse("project_detail", args=[project.slug]))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_ranger_cannot_open_settings_but_admin_can(client_of, ranger, admin_user, project):
    url = reverse("project_settings", args=[project.slug])
    assert client_of(ranger).get(url).status_code == 403
    assert (
        client_of(admin_user).get(reverse("project_settings", args=[project.slug])).status_code
        == 200
    )


def test_creator_of_a_project_becomes_its_admin(client_of, ranger):
    ranger.is_staff = True  # REIDSITE_PROJECT_CREATORS defaults to staff
    ranger.save()
    response = client_of(ranger).post(
        reverse("project_create"),
        {"name": "Leopard atlas", "time_zone": "Africa/Johannesburg", "event_gap_seconds": 60},
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user=ranger, project__name="Leopard atlas")
    assert membership.role == Role.ADMIN


def test_project_with_unknown_time_zone_is_refused(client_of, ranger, settings):
    settings.REIDSITE_PROJECT_CREATORS = "any"
    response = client_of(ranger).post(
        reverse("project_create"),
        {"name": "Bad tz", "time_zone": "Mars/Olympus", "event_gap_seconds": 60},
    )
    assert response.status_code == 200
    assert "not an IANA time zone" in response.text


def test_admin_adds_a_member_and_ranger_cannot(client_of, admin_user, ranger, outsider, project):
    url = reverse("member_list", args=[project.slug])
    data = {"username": "outsider", "role": "expert"}
    assert client_of(ranger).post(url, data).status_code == 403
    response = client_of(admin_user).post(url, {"username": "outsider", "role": "expert"})
    assert response.status_code == 302
    assert project.memberships.get(user=outsider).role == Role.EXPERT


def test_last_admin_cannot_be_removed(client_of, admin_user, project):
    membership = project.memberships.get(user=admin_user)
    client_of(admin_user).post(reverse("member_remove", args=[project.slug, membership.pk]))
    assert project.memberships.filter(pk=membership.pk).exists()
