"""Two experts open the same sighting (same version); the second to decide is told, and the
first decision stands."""

import pytest
from django.test import Client

from tests.factories import trail

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_second_confirm_is_refused_with_who_decided_first(expert, second_expert, world, decide):
    sighting = world["pending"][0]
    seen = sighting.version
    first = sighting.candidates.get(rank=1)
    second = sighting.candidates.get(rank=2)
    decide(_client(expert), sighting, "confirm", first, version=seen)
    response = decide(_client(second_expert), sighting, "confirm", second, version=seen, htmx=True)
    assert response.status_code == 200
    assert "was decided by expert at" in response.text
    assert "Your decision was not saved" in response.text
    sighting.refresh_from_db()
    assert sighting.individual == first.individual and sighting.decided_by == expert
    assert trail().filter(action="confirm").count() == 1


def test_second_decision_without_javascript_gets_the_message_after_redirect(
    expert, second_expert, world, decide
):
    sighting = world["pending"][0]
    decide(_client(expert), sighting, "new", version=0)
    client = _client(second_expert)
    response = decide(client, sighting, "new", version=0)
    page = client.get(response["Location"]).text
    assert "was decided by expert at" in page
    assert sighting.project.individuals.count() == 7  # one new individual, not two


def test_candidates_rescored_since_opening_are_a_clear_conflict(expert, world, decide):
    sighting = world["pending"][0]
    gone = sighting.candidates.get(rank=1)
    gone_pk = gone.pk
    gone.delete()  # the pipeline replaced the ranking
    gone.pk = gone_pk
    response = decide(_client(expert), sighting, "confirm", gone, htmx=True)
    assert "re-scored after you opened it" in response.text
    sighting.refresh_from_db()
    assert sighting.status == "pending"
