import pytest

from identification.models import Decision, Sighting
from identification.services import decisions
from tests.factories import trail

pytestmark = pytest.mark.django_db


def test_confirm_assigns_the_individual_and_records_what_was_shown(
    client_of, expert, world, decide
):
    sighting = world["pending"][0]
    candidate = sighting.candidates.get(rank=2)
    response = decide(client_of(expert), sighting, "confirm", candidate, note="same scar")
    assert response.status_code == 302
    sighting.refresh_from_db()
    assert sighting.status == Sighting.Status.CONFIRMED
    assert sighting.individual == candidate.individual
    assert sighting.decided_by == expert and sighting.decided_at is not None
    assert sighting.version == 1 and sighting.claimed_by is None
    decision = trail().get()
    assert decision.action == Decision.Action.CONFIRM
    assert (decision.user, decision.sighting, decision.candidate) == (expert, sighting, candidate)
    assert decision.note == "same scar"
    assert decision.previous_state == {
        "status": "pending",
        "individual_id": None,
        "decided_by_id": None,
        "decided_at": None,
    }
    assert decision.shown["p_new"] == pytest.approx(0.1)
    assert decision.shown["threshold"] == 0.5
    assert [c["code"] for c in decision.shown["candidates"]] == [
        f"IND-{i:04d}" for i in range(1, 6)
    ]
    assert decision.shown["candidates"][1]["scores"]["global"]["calibrated"] == pytest.approx(0.8)
    assert decision.shown["model_versions"] == {"global": "test-1", "aliked": "test-1"}


def test_confirming_a_candidate_of_a_merged_individual_assigns_the_survivor(
    client_of, expert, world, decide
):
    sighting = world["pending"][0]
    merged, survivor = world["individuals"][0], world["individuals"][5]
    decisions.merge(merged, survivor, by=expert)
    decide(client_of(expert), sighting, "confirm", sighting.candidates.get(individual=merged))
    sighting.refresh_from_db()
    assert sighting.individual == survivor
