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


def test_undo_right_after_a_skip_goes_back_to_the_skipped_sighting_not_further(
    client_of, expert, project, world, decide
):
    client = client_of(expert)
    confirmed, skipped = world["pending"][0], world["pending"][1]
    decide(client, confirmed, "confirm", confirmed.candidates.get(rank=1))
    decide(client, skipped, "skip")
    assert skipped.pk in client.session[f"review-skipped-{project.pk}"]

    response = client.post(reverse("review_undo", args=[project.slug]))
    assert response["Location"].endswith(f"/review/{skipped.pk}/")
    undo = trail().get(action=Decision.Action.UNDO)
    assert undo.reverts.action == Decision.Action.SKIP and undo.reverts.sighting == skipped
    confirmed.refresh_from_db()
    assert confirmed.status == Sighting.Status.CONFIRMED  # the decision before stays
    # Off the session's skipped list: the queue may serve it again.
    assert skipped.pk not in client.session[f"review-skipped-{project.pk}"]
    # The next undo is the confirmation.
    client.post(reverse("review_undo", args=[project.slug]))
    confirmed.refresh_from_db()
    assert confirmed.status == Sighting.Status.PENDING


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
