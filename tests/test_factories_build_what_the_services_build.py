"""The benchmarks' bulk decisions write what the decision service writes, row for row."""

import pytest

from identification.models import Decision, Sighting
from identification.services import decisions
from tests.factories import add_candidates, add_individual, add_sighting, bulk_decide

pytestmark = pytest.mark.django_db


def _decision_fields(decision: Decision) -> dict:
    shown = dict(decision.shown)
    shown["candidates"] = [{**c, "candidate": None} for c in shown["candidates"]]
    return {
        "action": decision.action,
        "individual": decision.individual_id,
        "previous_state": decision.previous_state,
        "shown": shown,
        "details": decision.details,
    }


def _sighting_fields(sighting: Sighting) -> tuple:
    sighting.refresh_from_db()
    return (sighting.status, sighting.individual_id, sighting.decided_by_id, sighting.version)


def test_bulk_decisions_equal_one_by_one_decisions(project, expert):
    alpha, bravo, charlie = (add_individual(project, f"IND-000{i}", images=1) for i in (1, 2, 3))
    decisions.merge(charlie, bravo, by=expert)  # a merged candidate shows as its survivor
    pairs = []
    for _ in range(2):
        confirm_me, discard_me = add_sighting(project, p_new=0.3), add_sighting(project, p_new=0.6)
        for s in (confirm_me, discard_me):
            add_candidates(s, [alpha, charlie, bravo], [0.9, 0.5, 0.4])
        pairs.append((confirm_me, discard_me))

    (service_confirm, service_discard), (bulk_confirm, bulk_discard) = pairs
    decisions.confirm(service_confirm, alpha, by=expert)
    decisions.discard(service_discard, by=expert)
    bulk_decide([bulk_confirm, bulk_discard], [alpha, None], by=expert)

    for by_service, by_bulk in ((service_confirm, bulk_confirm), (service_discard, bulk_discard)):
        assert _sighting_fields(by_service) == _sighting_fields(by_bulk)
        assert _decision_fields(by_service.decisions.get()) == _decision_fields(
            by_bulk.decisions.get()
        )
    shown_codes = [c["code"] for c in bulk_confirm.decisions.get().shown["candidates"]]
    assert shown_codes == ["IND-0001", "IND-0002"]
