import pytest
from django.urls import reverse

from identification.models import Decision, Individual

pytestmark = pytest.mark.django_db


def test_split_to_a_new_individual_moves_only_the_chosen_sightings_and_is_undoable(
    client_of, expert, project, world
):
    client = client_of(expert)
    individual = world["individuals"][0]
    keep, move = individual.sightings.order_by("pk")
    url = reverse("individual_split", args=[project.slug, individual.pk])
    response = client.post(url, {"sightings": [move.pk], "into": "", "name": "Newcomer"})
    assert response.status_code == 302
    move.refresh_from_db()
    keep.refresh_from_db()
    assert keep.individual == individual
    assert move.individual.code == "IND-0007" and move.individual.name == "Newcomer"
    decision = Decision.objects.get(action=Decision.Action.SPLIT)
    assert decision.previous_state == {"individual_id": individual.pk, "sighting_ids": [move.pk]}
    client.post(reverse("review_undo", args=[project.slug]))
    move.refresh_from_db()
    assert move.individual == individual
    assert not Individual.objects.filter(code="IND-0007").exists()


def test_split_into_an_existing_individual(client_of, expert, project, world):
    individual, other = world["individuals"][0], world["individuals"][1]
    move = individual.sightings.first()
    url = reverse("individual_split", args=[project.slug, individual.pk])
    client_of(expert).post(url, {"sightings": [move.pk], "into": other.code})
    move.refresh_from_db()
    assert move.individual == other
