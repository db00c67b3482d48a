import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from identification.models import Sighting

pytestmark = pytest.mark.django_db


def _next(user, project) -> int:
    client = Client()
    client.force_login(user)
    return int(client.get(reverse("review_next", args=[project.slug]))["Location"].split("/")[-2])


def test_two_experts_asking_for_next_get_different_sightings(expert, second_expert, project, world):
    a = _next(expert, project)
    b = _next(second_expert, project)
    assert a != b
    assert Sighting.objects.get(pk=a).claimed_by == expert
    assert Sighting.objects.get(pk=b).claimed_by == second_expert
    # Asking again keeps one's own claim rather than moving on.
    assert _next(expert, project) == a


def test_a_claim_expires_and_the_sighting_goes_to_the_next_expert(
    settings, expert, second_expert, project, world
):
    settings.REIDSITE_REVIEW_CLAIM_SECONDS = 60
    a = _next(expert, project)
    assert _next(second_expert, project) != a
    Sighting.objects.filter(pk=a).update(claimed_until=timezone.now() - dt.timedelta(seconds=1))
    Sighting.objects.filter(claimed_by=second_expert).update(claimed_by=None, claimed_until=None)
    assert _next(second_expert, project) == a
    claim = Sighting.objects.get(pk=a)
    assert claim.claimed_by == second_expert
    remaining = (claim.claimed_until - timezone.now()).total_seconds()
    assert 50 < remaining <= 60


def test_opening_a_sighting_claimed_by_someone_else_says_so(
    client_of, expert, second_expert, project, world
):
    a = _next(second_expert, project)
    page = client_of(expert).get(reverse("review_sighting", args=[project.slug, a])).text
    assert "expert2 is reviewing this sighting until" in page
    assert Sighting.objects.get(pk=a).claimed_by == second_expert
