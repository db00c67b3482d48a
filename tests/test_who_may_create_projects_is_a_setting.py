"""REIDSITE_PROJECT_CREATORS says who may create projects: by default only staff users (the
demo user is one), who see the link; with "any", every signed-in user; another value stops
start-up naming the variable."""

import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

NEW = {"name": "Leopard atlas", "time_zone": "UTC", "event_gap_seconds": 60}


def test_by_default_only_staff_create_projects(client_of, ranger, admin_user):
    client = client_of(ranger)
    assert client.get(reverse("project_create")).status_code == 403
    assert client.post(reverse("project_create"), NEW).status_code == 403
    assert reverse("project_create") not in client.get(reverse("project_list")).text
    admin_user.is_staff = True
    admin_user.save()
    client = client_of(admin_user)
    assert reverse("project_create") in client.get(reverse("project_list")).text
    assert client.post(reverse("project_create"), NEW).status_code == 302


def test_any_lets_every_user_create_projects(client_of, ranger, settings):
    settings.REIDSITE_PROJECT_CREATORS = "any"
    client = client_of(ranger)
    assert reverse("project_create") in client.get(reverse("project_list")).text
    assert client.post(reverse("project_create"), NEW).status_code == 302


def test_an_unknown_value_stops_start_up():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env["REIDSITE_PROJECT_CREATORS"] = "everyone"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=django_settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode != 0
    assert "REIDSITE_PROJECT_CREATORS must be one of ['any', 'staff']" in result.stderr
