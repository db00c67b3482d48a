"""Query counts do not grow with the number of candidates, individuals or images: the same
bound holds for a small and a larger world, so an N+1 would fail here."""

import pytest
from django.urls import reverse

from tests.factories import add_candidates, add_individual, add_sighting

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


@pytest.fixture(params=[6, 18], ids=["6-individuals", "18-individuals"])
def sized_world(request, project, deployment):
    n = request.param
    individuals = [add_individual(project, f"IND-{i:04d}", images=3) for i in range(1, n + 1)]
    pending = []
    for k in range(3):
        sighting = add_sighting(project, p_new=0.1 + 0.2 * k, deployment=deployment)
        add_candidates(
            sighting, individuals[: min(n, 8)], [0.9 - 0.05 * j for j in range(min(n, 8))]
        )
        pending.append(sighting)
    return {"individuals": individuals, "pending": pending}


def test_review_screen(client_of, expert, project, sized_world, django_assert_max_num_queries):
    client = client_of(expert)
    url = reverse("review_sighting", args=[project.slug, sized_world["pending"][0].pk])
    with django_assert_max_num_queries(10):
        assert client.get(url).status_code == 200


def test_next_sighting_fragment(
    client_of, expert, project, sized_world, django_assert_max_num_queries
):
    client = client_of(expert)
    with django_assert_max_num_queries(13):
        assert (
            client.get(reverse("review_next", args=[project.slug]), headers=HX).status_code == 200
        )


def test_confirm(client_of, expert, project, sized_world, decide, django_assert_max_num_queries):
    client = client_of(expert)
    sighting = sized_world["pending"][0]
    candidate = sighting.candidates.get(rank=1)
    with django_assert_max_num_queries(20):
        response = decide(client, sighting, "confirm", candidate, htmx=True)
    assert response.status_code == 200


def test_individual_list(client_of, expert, project, sized_world, django_assert_max_num_queries):
    client = client_of(expert)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("individual_list", args=[project.slug]))
    assert response.status_code == 200
    assert len(response.context["page"]) == len(sized_world["individuals"])
