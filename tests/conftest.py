"""Shared fixtures: users with each role, two projects, and eager Celery for unit tests.

Tests marked `services` run against the real broker and a real worker instead.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from identification.models import Deployment, Membership, Project, Role
from reidsite.celery import app as celery_app


@pytest.fixture(autouse=True)
def _eager_celery(request):
    """Unit tests run tasks inline; `services` tests talk to a real worker."""
    eager = request.node.get_closest_marker("services") is None
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = eager
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _reid_only_when_asked(request, settings):
    """The re-ID models are slow on CPU: only tests marked `reid` run the pipeline."""
    settings.REIDSITE_ENABLE_REID = request.node.get_closest_marker("reid") is not None


def _user(username: str, **extra):
    return get_user_model().objects.create_user(username, password="pw-" + username, **extra)


@pytest.fixture
def ranger(db):
    return _user("ranger")


@pytest.fixture
def expert(db):
    return _user("expert")


@pytest.fixture
def admin_user(db):
    return _user("projadmin")


@pytest.fixture
def outsider(db):
    return _user("outsider")


@pytest.fixture
def project(db, ranger, expert, admin_user):
    project = Project.objects.create(name="Nyala survey", species="Tragelaphus angasii")
    Membership.objects.create(project=project, user=ranger, role=Role.RANGER)
    Membership.objects.create(project=project, user=expert, role=Role.EXPERT)
    Membership.objects.create(project=project, user=admin_user, role=Role.ADMIN)
    return project


@pytest.fixture
def other_project(db, outsider):
    project = Project.objects.create(name="Lion survey", species="Panthera leo")
    Membership.objects.create(project=project, user=outsider, role=Role.ADMIN)
    return project


@pytest.fixture
def deployment(project):
    return Deployment.objects.create(
        project=project, code="CAM-01", name="Waterhole north", latitude=-27.9, longitude=32.3
    )


@pytest.fixture
def client_of(client):
    """client_of(user) -> a test client signed in as that user."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in
