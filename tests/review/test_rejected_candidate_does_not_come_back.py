import pytest
from django.urls import reverse

from identification.models import Decision
from identification.services import decisions

pytestmark = pytest.mark.django_db


def test_rejected_candidate_is_a_negative_pair_and_does_not_come_back(
    client_of, expert, project, world, decide
):
    client = client_of(expert)
    sighting = world["pending"][0]
    candidate = sighting.candidates.get(rank=1)
    response = decide(client, sighting, "reject", candidate)
    # The expert stays on the sighting, now without that candidate.
    assert response["Location"].startswith(
        reverse("review_sighting", args=[project.slug, sighting.pk])
    )
    candidate.refresh_from_db()
    assert candidate.rejected
    decision = Decision.objects.get(action=Decision.Action.REJECT)
    assert decision.candidate == candidate and decision.individual == candidate.individual
    assert sighting.status == "pending"
    page = client.get(response["Location"]).text
    assert f'name="candidate" value="{candidate.pk}"' not in page
    assert page.count('<li class="rv-cand') == 4
    # Nor can it be confirmed by a stale form.
    sighting.refresh_from_db()
    response = decide(client, sighting, "confirm", candidate, htmx=True)
    assert "rejected" in response.text
    sighting.refresh_from_db()
    assert sighting.individual is None


def test_rejected_individual_stays_rejected_when_the_pipeline_reranks(expert, world):
    """The pipeline replaces candidates by individual; it carries `rejected` over."""
    from worker.reid.store import store_candidates

    sighting = world["pending"][0]
    candidate = sighting.candidates.get(rank=1)
    decisions.reject_candidate(sighting, candidate, by=expert)

    class Score:
        def __init__(self, individual):
            self.label, self.score, self.scores = str(individual.pk), 0.95, {}
            self.gallery_id, self.correspondences = None, []

    store_candidates(sighting, [Score(candidate.individual)], 0.05, {}, (0, 0), {})
    assert sighting.candidates.get().rejected
