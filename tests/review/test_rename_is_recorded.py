import pytest
from django.urls import reverse

from identification.models import Decision
from tests.factories import trail

pytestmark = pytest.mark.django_db


def test_rename_is_recorded_and_undoable(client_of, expert, project, world):
    individual = world["individuals"][0]
    url = reverse("individual_rename", args=[project.slug, individual.pk])
    client_of(expert).post(url, {"name": "Old Scar"})
    individual.refresh_from_db()
    assert individual.name == "Old Scar"
    decision = trail().get()
    assert decision.action == Decision.Action.RENAME
    assert decision.previous_state == {"name": "Ind 1"}
    client_of(expert).post(reverse("review_undo", args=[project.slug]))
    individual.refresh_from_db()
    assert individual.name == "Ind 1"
