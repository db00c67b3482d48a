import pytest
from django.urls import reverse

from identification.models import Decision, Individual
from identification.services import decisions
from tests.factories import trail

pytestmark = pytest.mark.django_db


def test_merge_moves_all_sightings_and_undo_restores_both_individuals(
    client_of, expert, project, world
):
    client = client_of(expert)
    source, target = world["individuals"][0], world["individuals"][1]
    source_sightings = set(source.sightings.values_list("pk", flat=True))
    target_sightings = set(target.sightings.values_list("pk", flat=True))
    url = reverse("individual_merge", args=[project.slug, source.pk])
    response = client.post(url, {"target": target.code.lower()})
    assert response["Location"] == target.get_absolute_url()
    source.refresh_from_db()
    assert source.merged_into == target
    assert set(target.sightings.values_list("pk", flat=True)) == source_sightings | target_sightings
    decision = trail().get(action=Decision.Action.MERGE)
    assert decision.user == expert and decision.details["source_code"] == source.code
    # The merged-away page leads to the survivor.
    assert client.get(source.get_absolute_url())["Location"] == target.get_absolute_url()

    client.post(reverse("review_undo", args=[project.slug]))
    source.refresh_from_db()
    assert source.merged_into is None
    assert set(source.sightings.values_list("pk", flat=True)) == source_sightings
    assert set(target.sightings.values_list("pk", flat=True)) == target_sightings
    assert trail().get(action=Decision.Action.UNDO).reverts == decision


def test_merging_into_an_individual_that_is_later_merged_keeps_codes_one_hop_away(expert, world):
    a, b, c = world["individuals"][:3]
    decisions.merge(a, b, by=expert)
    b.refresh_from_db()
    decisions.merge(b, c, by=expert)
    assert Individual.objects.get(pk=a.pk).merged_into_id == c.pk
    assert c.sightings.count() == 6


def test_merge_into_unknown_code_is_refused_with_a_message(client_of, expert, project, world):
    source = world["individuals"][0]
    url = reverse("individual_merge", args=[project.slug, source.pk])
    response = client_of(expert).post(url, {"target": "NOPE-1"}, follow=True)
    assert "No individual with code NOPE-1" in response.text
    assert not trail().exists()
