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
    """make_sighting(animal, view, individual=None, batch=None) -> a Sighting of synthetic
    animal `animal` with its Media and file; with an Individual, confirmed as it through the
    decision service (a gallery image)."""
    from tests.factories import animal_sighting

    def make(animal: int, view: int, individual: Individual | None = None, batch=None):
        return animal_sighting(project, animal, view, individual, batch)

    return make


@pytest.fixture
def individuals(project):
    """Four named individuals, A0..A3, standing for synthetic animals 0..3."""
    return [Individual.objects.create(project=project, code=f"A{i}") for i in range(4)]


@pytest.fixture
def camtrap_survey(project, deployment, individuals, expert):
    """Two deployments with timed images (events regrouped) and one sighting in each state.

    Returns a dict: confirmed (A0, boxed), burst_mate (A0, 5 s later), proposed (pending, A1
    at 0.83), new (pending, P(new) 0.8 over the threshold), unmatched (pending, no
    candidate), discarded (rejected)."""
    import datetime as dt

    from identification.models import Candidate
    from identification.services import decisions
    from identification.services.events import regroup_events

    second = Deployment.objects.create(
        project=project, code="CAM-02", name="Ridge", latitude=-28.1, longitude=32.6,
        start=dt.datetime(2024, 3, 1, 6, 0, tzinfo=dt.UTC),
        end=dt.datetime(2024, 3, 20, 18, 0, tzinfo=dt.UTC),
    )  # fmt: skip
    base = dt.datetime(2024, 3, 5, 4, 30, tzinfo=dt.UTC)

    def image(where, seconds: int, name: str) -> Sighting:
        data = f"image {name}".encode()
        media = Media(
            project=project, deployment=where, sha256=hashlib.sha256(data).hexdigest(),
            original_name=f"DCIM/{name}.JPG", file_size=len(data), mime_type="image/jpeg",
            width=400, height=300, taken_at=base + dt.timedelta(seconds=seconds),
        )  # fmt: skip
        media.file.save(f"{name}.jpg", ContentFile(data), save=False)
        media.save()
        return Sighting.objects.create(project=project, media=media)

    Individual.objects.filter(pk=individuals[0].pk).update(sex=Individual.Sex.FEMALE)
    now = timezone.now()
    confirmed = image(deployment, 0, "c1")
    Sighting.objects.filter(pk=confirmed.pk).update(
        bbox_x=0.1, bbox_y=0.2, bbox_width=0.3, bbox_height=0.4
    )
    confirmed.refresh_from_db()
    decisions.confirm(confirmed, individuals[0], by=expert)
    burst_mate = image(deployment, 5, "c2")
    decisions.confirm(burst_mate, individuals[0], by=expert)
    proposed, new, unmatched = (image(second, 3600 * i, f"p{i}") for i in (1, 2, 3))
    discarded = image(second, 3600 * 4, "d1")
    decisions.discard(discarded, by=expert)
    for sighting, individual, fused in ((proposed, 1, 0.83), (proposed, 2, 0.4), (new, 3, 0.2)):
        Candidate.objects.create(
            sighting=sighting, rank=individual, individual=individuals[individual],
            fused=fused, model_versions={"global": "test-model"},
        )  # fmt: skip
    for sighting, p_new in ((proposed, 0.17), (new, 0.8)):
        Sighting.objects.filter(pk=sighting.pk).update(
            matched_at=now, p_new=p_new, pipeline_status=Sighting.PipelineStatus.MATCHED
        )
    regroup_events(deployment)
    regroup_events(second)
    return {
        "confirmed": confirmed, "burst_mate": burst_mate, "proposed": proposed, "new": new,
        "unmatched": unmatched, "discarded": discarded, "second": second,
    }  # fmt: skip


@pytest.fixture
def export_world(project, expert):
    """The hand-worked survey of tests/exports/world.py: dict of s (sightings 1-12), cams
    (A-D), batch, alpha (IND-0001), bravo (IND-0002)."""
    from tests.exports.world import build_world

    return build_world(project, expert)
