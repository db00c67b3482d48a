"""Shared fixtures: users with each role, two projects, and eager Celery for unit tests.

Tests marked `services` run against the real broker and a real worker instead.
"""

from __future__ import annotations

import hashlib

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone

from identification.models import (
    Deployment,
    Individual,
    Media,
    Membership,
    Project,
    Role,
    Sighting,
)
from identification.services.synthetic import camera_trap_jpeg
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


@pytest.fixture
def make_sighting(project):
    """make_sighting(animal, view, individual=None) -> a Sighting with its Media and file.

    With an Individual, the sighting is confirmed as it (a gallery image)."""

    def make(animal: int, view: int, individual: Individual | None = None, batch=None):
        data = camera_trap_jpeg(animal, view, None, size=(400, 300))
        digest = hashlib.sha256(data).hexdigest()
        media = Media(
            project=project,
            batch=batch,
            sha256=digest,
            original_name=f"animal{animal}_view{view}.jpg",
            file_size=len(data),
            width=400,
            height=300,
        )
        media.file.save(f"animal{animal}_view{view}.jpg", ContentFile(data), save=False)
        media.save()
        sighting = Sighting(project=project, media=media)
        if individual is not None:
            sighting.status = Sighting.Status.CONFIRMED
            sighting.individual = individual
            sighting.decided_at = timezone.now()
        sighting.save()
        return sighting

    return make


@pytest.fixture
def individuals(project):
    """Four named individuals, A0..A3, standing for synthetic animals 0..3."""
    return [Individual.objects.create(project=project, code=f"A{i}") for i in range(4)]
