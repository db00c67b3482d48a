import pytest
from django.urls import reverse

from identification.models import Sighting
from tests.factories import trail

pytestmark = pytest.mark.django_db


def test_no_animal_discards_the_sighting_and_undo_brings_it_back(
    client_of, expert, project, world, decide
):
    client = client_of(expert)
    sighting = world["pending"][0]
    decide(client, sighting, "discard", note="empty frame")
    sighting.refresh_from_db()
    assert sighting.status == Sighting.Status.REJECTED and sighting.individual is None
    assert trail().get().note == "empty frame"
    client.post(reverse("review_undo", args=[project.slug]))
    sighting.refresh_from_db()
    assert sighting.status == Sighting.Status.PENDING
