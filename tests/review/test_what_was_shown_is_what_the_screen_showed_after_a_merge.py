"""A decision's `shown` record and the review screen select candidates in one place."""

import pytest

from identification.models import Decision
from identification.services import decisions
from identification.services.review_queue import candidates_for

pytestmark = pytest.mark.django_db


def test_after_a_merge_the_record_names_the_survivor_once_as_the_screen_does(
    client_of, expert, world, decide
):
    sighting = world["pending"][0]
    # Candidates 1 and 2 are two individuals that an expert has since merged.
    first, second = (sighting.candidates.get(rank=r).individual for r in (1, 2))
    decisions.merge(first, second, by=expert)
    on_screen = [s.individual.code for s in candidates_for(sighting)]
    assert on_screen.count(second.code) == 1 and first.code not in on_screen

    decide(client_of(expert), sighting, "skip")  # a skip changes nothing: shown stays honest
    decide(client_of(expert), sighting, "discard")
    recorded = Decision.objects.get(action=Decision.Action.DISCARD).shown["candidates"]
    assert [c["code"] for c in recorded] == on_screen
    assert [c["individual"] for c in recorded] == [
        s.individual.pk for s in candidates_for(sighting)
    ]
