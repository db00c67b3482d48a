import pytest
from django.urls import reverse

from identification.models import Sighting
from tests.factories import trail

pytestmark = pytest.mark.django_db


def test_ranger_gets_403_on_every_review_action_and_nothing_changes(
    client_of, ranger, project, world, decide
):
    client = client_of(ranger)
    sighting = world["pending"][0]
    candidate = sighting.candidates.first()
    assert decide(client, sighting, "confirm", candidate).status_code == 403
    assert decide(client, sighting, "new").status_code == 403
    assert client.get(reverse("review_next", args=[project.slug])).status_code == 403
    assert (
        client.get(reverse("review_sighting", args=[project.slug, sighting.pk])).status_code == 403
    )
    assert client.post(reverse("review_undo", args=[project.slug])).status_code == 403
    individual = world["individuals"][0]
    for name in ("individual_rename", "individual_merge", "individual_split"):
        url = reverse(name, args=[project.slug, individual.pk])
        assert client.post(url, {"name": "x", "target": "IND-0002"}).status_code == 403
    sighting.refresh_from_db()
    assert sighting.status == Sighting.Status.PENDING
    assert not trail().exists()


def test_ranger_can_read_the_catalogue_and_the_trail(client_of, ranger, project, world):
    client = client_of(ranger)
    individual = world["individuals"][0]
    sighting = world["pending"][0]
    for url in (
        reverse("individual_list", args=[project.slug]),
        reverse("individual_detail", args=[project.slug, individual.pk]),
        reverse("decision_list", args=[project.slug]),
        reverse("sighting_detail", args=[project.slug, sighting.pk]),
        reverse("review_overview", args=[project.slug]),
    ):
        assert client.get(url).status_code == 200, url


def test_a_ranger_is_not_offered_review_and_a_403_says_which_role_it_needs(
    client_of, ranger, expert, project, world
):
    queue = reverse("review_queue", args=[project.slug])
    overview = client_of(ranger).get(reverse("project_detail", args=[project.slug]))
    assert f'href="{queue}"' not in overview.text
    assert (
        f'href="{queue}"'
        in client_of(expert).get(reverse("project_detail", args=[project.slug])).text
    )
    refused = client_of(ranger).get(queue)
    assert refused.status_code == 403
    # The site's page, with its navigation, saying what is missing and who can grant it.
    assert "This needs the expert role." in refused.text
    assert "Members page" in refused.text and "reidsite" in refused.text
