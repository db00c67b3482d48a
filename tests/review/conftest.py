"""Fixtures of the review tests: a small world of individuals and pending sightings."""

from __future__ import annotations

import pytest
from django.urls import reverse

from identification.models import Membership, Role, Sighting
from tests.factories import review_world


@pytest.fixture
def world(project, deployment):
    return review_world(project)


@pytest.fixture
def second_expert(project, django_user_model):
    user = django_user_model.objects.create_user("expert2", password="pw-expert2")
    Membership.objects.create(project=project, user=user, role=Role.EXPERT)
    return user


@pytest.fixture
def decide():
    """decide(client, sighting, action, candidate=None, version=None, htmx=False, **fields)."""

    def post(client, sighting: Sighting, action: str, candidate=None, version=None,
             htmx: bool = False, query: str = "", **fields):  # fmt: skip
        data = {"action": action, "version": sighting.version if version is None else version}
        if candidate is not None:
            data["candidate"] = candidate.pk
        data.update(fields)
        url = reverse("review_decide", args=[sighting.project.slug, sighting.pk]) + query
        headers = {"HX-Request": "true"} if htmx else {}
        return client.post(url, data, headers=headers)

    return post
