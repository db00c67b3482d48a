import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_sighting_page_shows_its_history_with_who_and_what_was_shown(
    client_of, expert, ranger, project, world, decide
):
    sighting = world["pending"][0]
    decide(client_of(expert), sighting, "reject", sighting.candidates.get(rank=2), note="no")
    sighting.refresh_from_db()
    decide(client_of(expert), sighting, "confirm", sighting.candidates.get(rank=1))
    client_of(expert).post(reverse("review_undo", args=[project.slug]))
    page = client_of(ranger).get(sighting.get_absolute_url())
    assert page.status_code == 200
    history = page.context["history"]
    assert [d.action for d in history] == ["undo", "confirm", "reject"]
    assert "Rejected candidate" in page.text and "IND-0002" in page.text
    assert 'class="reverted"' in page.text  # the undone confirmation is struck through
    assert "P(new) 10%" in page.text


def test_project_decision_list_names_who_decided(
    client_of, expert, second_expert, project, world, decide
):
    s1, s2 = world["pending"][:2]
    decide(client_of(expert), s1, "new")
    decide(client_of(second_expert), s2, "confirm", s2.candidates.get(rank=1))
    page = client_of(expert).get(reverse("decision_list", args=[project.slug])).text
    assert "expert2" in page and "New individual" in page and "Confirmed candidate" in page
    only = client_of(expert).get(reverse("decision_list", args=[project.slug]) + "?user=expert2")
    assert [d.user.username for d in only.context["page"]] == ["expert2"]
