"""A project keeps at least one admin: its only admin cannot make themselves (or be made) a
ranger or an expert, and is told why; with a second admin, the change goes through."""

import pytest
from django.urls import reverse

from identification.models import Membership, Role

pytestmark = pytest.mark.django_db


def test_the_only_admin_is_refused_with_a_message(client_of, admin_user, project):
    url = reverse("member_list", args=[project.slug])
    for role in (Role.RANGER, Role.EXPERT):
        response = client_of(admin_user).post(url, {"username": "projadmin", "role": role})
        assert response.status_code == 200
        assert "projadmin is the project&#x27;s only admin" in response.text
        assert project.memberships.get(user=admin_user).role == Role.ADMIN


def test_with_a_second_admin_the_first_may_step_down(client_of, admin_user, expert, project):
    Membership.objects.filter(project=project, user=expert).update(role=Role.ADMIN)
    url = reverse("member_list", args=[project.slug])
    response = client_of(admin_user).post(url, {"username": "projadmin", "role": Role.EXPERT})
    assert response.status_code == 302
    assert project.memberships.get(user=admin_user).role == Role.EXPERT
