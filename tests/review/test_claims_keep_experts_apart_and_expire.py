import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from identification.models import Sighting

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _next(user, project) -> int:
    response = _client(user).get(reverse("review_next", args=[project.slug]))
    return int(response["Location"].split("/")[-2])


def _claim(user, project, pk: int) -> int:
    """What the review screen does when it loads: POST a claim."""
    return _client(user).post(reverse("review_claim", args=[project.slug, pk])).status_code


def test_looking_at_the_queue_or_a_sighting_claims_nothing(client_of, expert, project, world):
    """A GET can come from a link or an image on another site: it must not hold sightings."""
    pk = _next(expert, project)
    client_of(expert).get(reverse("review_sighting", args=[project.slug, pk]))
    assert not Sighting.objects.filter(claimed_by__isnull=False).exists()


def test_the_screen_claims_its_sighting_by_post(client_of, expert, project, world):
    pk = world["pending"][0].pk
    page = client_of(expert).get(reverse("review_sighting", args=[project.slug, pk])).text
    assert f'hx-post="{reverse("review_claim", args=[project.slug, pk])}"' in page
    assert _claim(expert, project, pk) == 204
    assert Sighting.objects.get(pk=pk).claimed_by == expert


def test_two_experts_asking_for_next_get_different_sightings(expert, second_expert, project, world):
    a = _next(expert, project)
    assert _claim(expert, project, a) == 204
    b = _next(second_expert, project)
    assert a != b
    assert _claim(second_expert, project, b) == 204
    assert Sighting.objects.get(pk=a).claimed_by == expert
    assert Sighting.objects.get(pk=b).claimed_by == second_expert
    # Asking again keeps one's own claim rather than moving on.
    assert _next(expert, project) == a


def test_a_claim_expires_and_the_sighting_goes_to_the_next_expert(
    settings, expert, second_expert, project, world
):
    settings.REIDSITE_REVIEW_CLAIM_SECONDS = 60
    a = _next(expert, project)
    _claim(expert, project, a)
    assert _next(second_expert, project) != a
    Sighting.objects.filter(pk=a).update(claimed_until=timezone.now() - dt.timedelta(seconds=1))
    assert _next(second_expert, project) == a
    assert _claim(second_expert, project, a) == 204
    claim = Sighting.objects.get(pk=a)
    assert claim.claimed_by == second_expert
    remaining = (claim.claimed_until - timezone.now()).total_seconds()
    assert 50 < remaining <= 60


def test_opening_a_sighting_claimed_by_someone_else_says_so(
    client_of, expert, second_expert, project, world
):
    a = _next(second_expert, project)
    _claim(second_expert, project, a)
    page = client_of(expert).get(reverse("review_sighting", args=[project.slug, a])).text
    assert "expert2 is reviewing this sighting until" in page
    assert _claim(expert, project, a) == 409
    assert Sighting.objects.get(pk=a).claimed_by == second_expert


def test_a_decision_claims_the_sighting_it_moves_on_to(client_of, expert, project, world, decide):
    first = world["pending"][0]
    response = decide(client_of(expert), first, "discard")
    nxt = int(response["Location"].split("?")[0].split("/")[-2])
    assert nxt != first.pk
    assert Sighting.objects.get(pk=nxt).claimed_by == expert
