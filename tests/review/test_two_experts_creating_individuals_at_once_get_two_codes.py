"""Two experts pressing "new individual" at the same moment both succeed, with two codes.

Before, both read the same highest code and the second insert failed on the unique
(project, code) constraint: a 500 for one expert, their decision lost.
"""

import threading
import time

import pytest
from django.db import connection

from identification.models import Individual, Project
from identification.services import decisions
from tests.factories import add_individual, add_sighting


def test_concurrent_new_individuals_take_turns_for_the_next_code(
    transactional_db, project, expert, second_expert, monkeypatch
):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks (make test runs it)")
    add_individual(project, "IND-0001", images=1)
    sightings = [add_sighting(project, p_new=0.9) for _ in range(2)]
    original = Project.next_individual_code

    def slow_next_code(self) -> str:
        code = original(self)
        time.sleep(0.5)  # widen the read-then-insert window so the two requests overlap
        return code

    monkeypatch.setattr(Project, "next_individual_code", slow_next_code)
    start, errors = threading.Barrier(2), []

    def decide(sighting, user) -> None:
        try:
            start.wait()
            decisions.new_individual(sighting, by=user)
        except Exception as error:  # noqa: BLE001 - the test reports what escaped
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=(s, u))
        for s, u in zip(sightings, (expert, second_expert), strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    codes = sorted(Individual.objects.filter(project=project).values_list("code", flat=True))
    assert codes == ["IND-0001", "IND-0002", "IND-0003"]
