import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


def test_next_with_htmx_returns_the_fragment_and_pushes_its_url(client_of, expert, project, world):
    response = client_of(expert).get(reverse("review_next", args=[project.slug]), headers=HX)
    assert response.status_code == 200
    assert "<html" not in response.text
    assert response.text.lstrip().startswith('<section id="review"')
    pk = response.context["sighting"].pk
    assert response["HX-Push-Url"] == reverse("review_sighting", args=[project.slug, pk])


def test_confirm_with_htmx_answers_with_the_next_sighting_fragment(
    client_of, expert, project, world, decide
):
    client = client_of(expert)
    first = world["pending"][0]
    response = decide(
        client, first, "confirm", first.candidates.get(rank=1), htmx=True, query="?order=uncertain"
    )
    assert response.status_code == 200 and "<html" not in response.text
    nxt = response.context["sighting"]
    assert nxt.pk != first.pk
    assert response["HX-Push-Url"] == (
        reverse("review_sighting", args=[project.slug, nxt.pk]) + "?order=uncertain"
    )
    assert f"Sighting {first.pk} confirmed as IND-0001" in response.text


def test_undo_with_htmx_swaps_back_the_undone_sighting(client_of, expert, project, world, decide):
    client = client_of(expert)
    first = world["pending"][0]
    decide(client, first, "new", htmx=True)
    response = client.post(reverse("review_undo", args=[project.slug]), headers=HX)
    assert response.context["sighting"].pk == first.pk
    assert "Undone: new individual." in response.text


def test_history_restore_gets_the_whole_page(client_of, expert, project, world):
    url = reverse("review_sighting", args=[project.slug, world["pending"][0].pk])
    headers = {**HX, "HX-History-Restore-Request": "true"}
    response = client_of(expert).get(url, headers=headers)
    assert "<html" in response.text
    assert "HX-Request" in response["Vary"]
