"""The keyboard-free, script-free path: plain forms POST, redirect, and land on the next one."""

import pytest
from django.urls import reverse

from identification.models import Sighting

pytestmark = pytest.mark.django_db


def test_plain_forms_confirm_then_redirect_to_the_next_sighting(client_of, expert, project, world):
    client = client_of(expert)
    response = client.get(reverse("review_next", args=[project.slug]) + "?order=uncertain")
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "<html" in page.text and 'method="post"' in page.text
    first = page.context["sighting"]
    candidate = page.context["shown"][0].candidate
    response = client.post(
        reverse("review_decide", args=[project.slug, first.pk]) + "?order=uncertain",
        {"action": "confirm", "candidate": candidate.pk, "version": first.version},
    )
    assert response.status_code == 302
    # Straight to the next sighting, claimed within the POST (the GET only shows it).
    path, query = response["Location"].split("?")
    assert query == "order=uncertain"
    nxt = int(path.split("/")[-2])
    assert path == reverse("review_sighting", args=[project.slug, nxt])
    assert Sighting.objects.get(pk=nxt).claimed_by == expert
    following = client.get(response["Location"], follow=True)
    assert following.context["sighting"].pk != first.pk
    assert f"Sighting {first.pk} confirmed as {candidate.individual.code}" in following.text
    assert Sighting.objects.get(pk=first.pk).status == "confirmed"


def test_an_empty_queue_says_so_and_offers_undo(client_of, expert, project, world, decide):
    client = client_of(expert)
    for sighting in world["pending"]:
        decide(client, sighting, "new")
    page = client.get(reverse("review_next", args=[project.slug]))
    assert page.status_code == 200
    assert "Nothing left to review here" in page.text
    assert 'data-key="u"' in page.text


def test_an_invalid_form_is_reported_not_saved(client_of, expert, project, world, decide):
    client = client_of(expert)
    sighting = world["pending"][0]
    response = decide(client, sighting, "confirm")  # no candidate
    page = client.get(response["Location"]).text
    assert "Choose a candidate or an individual." in page
    sighting.refresh_from_db()
    assert sighting.status == "pending"
