"""Every URL of the review area answers 404 to a user who is not a member of the project,
even an expert of another project."""

import pytest
from django.urls import reverse

from identification.models import Individual
from tests.factories import review_world, trail

pytestmark = pytest.mark.django_db

PROJECT_URLS = ["review_queue", "review_next", "review_undo", "review_overview", "decision_list",
                "individual_list"]  # fmt: skip
SIGHTING_URLS = ["review_individuals", "review_sighting", "review_decide", "sighting_detail"]
INDIVIDUAL_URLS = ["individual_detail", "individual_rename", "individual_merge", "individual_split"]


def _urls(project, sighting, individual):
    for name in PROJECT_URLS:
        yield reverse(name, args=[project.slug])
    for name in SIGHTING_URLS:
        yield reverse(name, args=[project.slug, sighting.pk])
    for name in INDIVIDUAL_URLS:
        yield reverse(name, args=[project.slug, individual.pk])


def test_expert_of_another_project_gets_404_everywhere(client_of, outsider, project, world):
    # The outsider is an admin of its own project, so roles cannot be what stops it.
    client = client_of(outsider)
    for url in _urls(project, world["pending"][0], world["individuals"][0]):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"action": "confirm", "version": 0}).status_code == 404, url


def test_expert_of_project_a_cannot_touch_project_b(client_of, expert, project, other_project):
    world_b = review_world(other_project, n_individuals=5, n_pending=1)
    client = client_of(expert)
    sighting, individual = world_b["pending"][0], world_b["individuals"][0]
    for url in _urls(other_project, sighting, individual):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"action": "new", "version": 0}).status_code == 404, url
    # Nor through project A's own slug.
    url = reverse("review_decide", args=[project.slug, sighting.pk])
    assert client.post(url, {"action": "new", "version": 0}).status_code == 404
    assert not trail().filter(project=other_project).exists()
    assert not Individual.objects.filter(project=project).exists()
