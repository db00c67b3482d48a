"""The review screen's search confirms an individual outside the shown candidates (issue 14)."""

import pytest
from django.urls import reverse

from identification.models import Decision, Individual, Sighting
from identification.services import decisions
from tests.factories import trail

pytestmark = pytest.mark.django_db


def _search(client, sighting, q, htmx=True):
    url = reverse("review_individuals", args=[sighting.project.slug, sighting.pk])
    headers = {"HX-Request": "true"} if htmx else {}
    return client.get(url, {"q": q}, headers=headers)


def test_the_search_lists_an_individual_that_is_not_a_candidate(client_of, expert, world):
    sighting = world["pending"][0]
    response = _search(client_of(expert), sighting, "0006")
    assert response.status_code == 200
    html = response.content.decode()
    assert "IND-0006" in html and "IND-0001" not in html
    assert f'name="individual" value="{world["individuals"][5].pk}"' in html
    assert "<html" not in html  # the fragment, swapped under the search box


def test_an_exact_code_ranks_before_codes_that_only_contain_it(client_of, expert, project, world):
    Individual.objects.create(project=project, code="XIND-0001")
    html = _search(client_of(expert), world["pending"][0], "ind-0001").content.decode()
    assert html.index("IND-0001<") < html.index("XIND-0001")


def test_a_merged_code_finds_its_survivor(client_of, expert, world):
    merged, survivor = world["individuals"][1], world["individuals"][5]
    decisions.merge(merged, survivor, by=expert)
    html = _search(client_of(expert), world["pending"][0], "IND-0002").content.decode()
    assert "merged: IND-0002" in html
    assert f'name="individual" value="{survivor.pk}"' in html
    assert f'name="individual" value="{merged.pk}"' not in html


def test_confirming_an_individual_found_by_search_records_it_and_undo_restores(
    client_of, expert, project, world, decide
):
    sighting = world["pending"][0]
    target = world["individuals"][5]
    response = decide(client_of(expert), sighting, "confirm", individual=target.pk, search="0006")
    assert response.status_code == 302
    sighting.refresh_from_db()
    assert (sighting.status, sighting.individual) == (Sighting.Status.CONFIRMED, target)
    decision = trail().get()
    assert decision.action == Decision.Action.CONFIRM and decision.candidate is None
    assert decision.details["found_by_search"] is True
    assert decision.details["search"] == "0006"
    assert decision.details["candidate_rank"] is None
    # What the screen showed is kept: the five candidates the expert passed over.
    assert [c["code"] for c in decision.shown["candidates"]] == [
        f"IND-{i:04d}" for i in range(1, 6)
    ]
    client_of(expert).post(reverse("review_undo", args=[project.slug]))
    sighting.refresh_from_db()
    assert (sighting.status, sighting.individual) == (Sighting.Status.PENDING, None)
    assert target.sightings.filter(status=Sighting.Status.CONFIRMED).count() == 2


def test_searching_for_a_shown_candidate_confirms_with_that_candidate(
    client_of, expert, world, decide
):
    sighting = world["pending"][0]
    third = sighting.candidates.get(rank=3)
    decide(client_of(expert), sighting, "confirm", individual=third.individual.pk, search="3")
    decision = trail().get()
    assert decision.candidate == third and decision.details["candidate_rank"] == 3


def test_an_individual_of_another_project_is_refused_and_nothing_changes(
    client_of, expert, other_project, world, decide
):
    sighting = world["pending"][0]
    foreign = Individual.objects.create(project=other_project, code="LION-1")
    response = decide(client_of(expert), sighting, "confirm", individual=foreign.pk, htmx=True)
    assert "not in this project" in response.content.decode()
    sighting.refresh_from_db()
    assert sighting.status == Sighting.Status.PENDING
    assert not trail().exists()
    assert "LION-1" not in _search(client_of(expert), sighting, "LION").content.decode()


def test_without_javascript_the_search_is_a_page_with_confirm_buttons(client_of, expert, world):
    sighting = world["pending"][0]
    response = _search(client_of(expert), sighting, "Ind 6", htmx=False)
    html = response.content.decode()
    assert "<html" in html and "IND-0006" in html
    assert reverse("review_decide", args=[sighting.project.slug, sighting.pk]) in html


def test_the_search_answers_404_to_a_non_member(client_of, outsider, world):
    assert _search(client_of(outsider), world["pending"][0], "IND").status_code == 404
