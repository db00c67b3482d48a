import pytest

from identification.models import Decision, Individual
from tests.factories import trail

pytestmark = pytest.mark.django_db


def test_new_individual_gets_the_next_code_and_the_optional_name(
    client_of, expert, project, world, decide
):
    sighting = world["pending"][1]
    decide(client_of(expert), sighting, "new", name="  Tatters ")
    sighting.refresh_from_db()
    assert sighting.individual.code == "IND-0007"  # IND-0001..0006 exist
    assert sighting.individual.name == "Tatters"
    assert sighting.individual.created_by == expert
    decision = trail().get()
    assert decision.action == Decision.Action.NEW
    assert decision.details["code"] == "IND-0007"
    assert Individual.objects.filter(project=project).count() == 7
