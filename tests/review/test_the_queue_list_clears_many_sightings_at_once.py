"""The queue list shows what each sighting is about and clears many at once (issue 14)."""

import pytest
from django.urls import reverse

from identification.models import Decision, Sighting
from tests.factories import add_individual, add_sighting, burst_track, trail

pytestmark = pytest.mark.django_db


def test_the_queue_list_shows_thumbnails_and_the_best_candidate(client_of, expert, world):
    sighting = world["pending"][0]
    html = client_of(expert).get(reverse("review_queue", args=[sighting.project.slug])).text
    assert reverse("media_thumbnail", args=[sighting.project.slug, sighting.media_id]) in html
    assert "<b>IND-0001</b> 90%" in html  # the best candidate of the first sighting


def test_ticked_sightings_are_marked_no_animal_in_one_action_and_each_is_recorded(
    client_of, expert, project, world
):
    first, second, third = world["pending"]
    url = reverse("review_bulk", args=[project.slug])
    response = client_of(expert).post(url, {"action": "discard", "sighting": [first.pk, third.pk]})
    assert response.status_code == 302
    statuses = dict(
        Sighting.objects.filter(pk__in=[first.pk, second.pk, third.pk]).values_list("pk", "status")
    )
    assert statuses == {first.pk: "rejected", second.pk: "pending", third.pk: "rejected"}
    assert trail().filter(action=Decision.Action.DISCARD).count() == 2
    page = client_of(expert).get(response["Location"]).text
    assert "2 sightings marked no animal." in page


def test_a_bulk_no_animal_covers_a_whole_track(client_of, expert, project, deployment):
    individuals = [add_individual(project, "IND-0001")]
    frames = burst_track(project, deployment, individuals)
    url = reverse("review_bulk", args=[project.slug])
    client_of(expert).post(url, {"action": "discard", "sighting": [frames[0].pk]})
    assert set(Sighting.objects.filter(track=frames[0].track).values_list("status", flat=True)) == {
        "rejected"
    }


def test_bulk_skip_moves_them_to_the_back_for_this_expert(client_of, expert, project, world):
    first = world["pending"][0]
    client = client_of(expert)
    client.post(
        reverse("review_bulk", args=[project.slug]), {"action": "skip", "sighting": [first.pk]}
    )
    first.refresh_from_db()
    assert first.status == "pending"
    response = client.get(reverse("review_next", args=[project.slug]))
    assert f"/review/{first.pk}/" not in response["Location"]


def test_another_projects_ids_and_garbage_are_ignored(
    client_of, expert, project, other_project, world
):
    foreign = add_sighting(other_project, p_new=0.3)
    url = reverse("review_bulk", args=[project.slug])
    response = client_of(expert).post(
        url, {"action": "discard", "sighting": [foreign.pk, "x", "-1"]}
    )
    assert response.status_code == 302
    foreign.refresh_from_db()
    assert foreign.status == "pending"
    assert not trail().exists()
