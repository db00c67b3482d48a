import pytest
from django.urls import reverse

from identification.models import Decision, Sighting
from tests.factories import trail

pytestmark = pytest.mark.django_db


def test_skip_records_a_decision_releases_the_claim_and_moves_to_another_sighting(
    client_of, expert, project, world, decide
):
    client = client_of(expert)
    next_url = reverse("review_next", args=[project.slug])
    first = int(client.get(next_url)["Location"].split("/")[-2])
    client.post(reverse("review_claim", args=[project.slug, first]))  # as the screen does
    skipped = Sighting.objects.get(pk=first)
    assert skipped.claimed_by == expert
    response = decide(client, skipped, "skip")
    assert int(response["Location"].split("/")[-2]) != first
    skipped.refresh_from_db()
    assert skipped.status == Sighting.Status.PENDING and skipped.claimed_by is None
    assert trail().get().action == Decision.Action.SKIP
    after = int(client.get(next_url)["Location"].split("/")[-2])
    assert after != first
    # A skip changes nothing, so undo goes past it to nothing.
    assert client.post(reverse("review_undo", args=[project.slug])).status_code == 302
    assert not trail().filter(action=Decision.Action.UNDO).exists()


def test_skipped_sightings_come_back_when_the_expert_asks(
    client_of, expert, project, world, decide
):
    client = client_of(expert)
    for sighting in world["pending"]:
        decide(client, sighting, "skip")
    response = client.get(reverse("review_next", args=[project.slug]))
    assert response.status_code == 200 and "apart from the 3 you skipped" in response.text
    response = client.get(reverse("review_next", args=[project.slug]) + "?reset=1")
    assert response.status_code == 302
