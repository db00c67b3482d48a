import pytest
from django.urls import reverse

from identification.services import decisions
from tests.factories import add_individual

pytestmark = pytest.mark.django_db


def test_search_by_code_or_name_and_by_a_merged_away_code(
    client_of, expert, ranger, project, world
):
    a, b = world["individuals"][:2]
    add_individual(project, "ZZ-9", name="Tatters", images=1)
    decisions.merge(a, b, by=expert)
    url = reverse("individual_list", args=[project.slug])
    client = client_of(ranger)
    assert [i.code for i in client.get(url + "?q=tatt").context["page"]] == ["ZZ-9"]
    assert [i.code for i in client.get(url + "?q=" + a.code).context["page"]] == [b.code]
    everyone = client.get(url).context["page"]
    assert a.code not in [i.code for i in everyone]  # merged away: only its survivor is listed
    survivor = next(i for i in everyone if i.pk == b.pk)
    assert survivor.n_sightings == 4
    assert survivor.first_seen <= survivor.last_seen


def test_htmx_search_returns_only_the_results(client_of, ranger, project, world):
    url = reverse("individual_list", args=[project.slug]) + "?q=IND-0003"
    response = client_of(ranger).get(url, headers={"HX-Request": "true"})
    assert "<html" not in response.text and 'id="individual-results"' in response.text
    assert "IND-0003" in response.text and "IND-0004" not in response.text


def test_individual_page_shows_a_timeline_of_its_sightings(client_of, ranger, project, world):
    individual = world["individuals"][0]
    page = client_of(ranger).get(reverse("individual_detail", args=[project.slug, individual.pk]))
    assert [s.pk for s in page.context["sightings"]] == list(
        individual.sightings.order_by("media__taken_at").values_list("pk", flat=True)
    )
    assert 'class="timeline"' in page.text
