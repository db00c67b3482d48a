import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from identification.models import Candidate, Decision, Individual, Sighting
from tests.factories import trail

pytestmark = pytest.mark.django_db


def test_undo_of_a_correction_restores_the_earlier_identity_exactly(
    client_of, expert, admin_user, project, world, decide
):
    sighting = world["pending"][0]
    earlier = timezone.now() - dt.timedelta(days=3, microseconds=123)
    first_choice = world["individuals"][4]
    Sighting.objects.filter(pk=sighting.pk).update(
        status="confirmed", individual=first_choice, decided_by=admin_user, decided_at=earlier
    )
    sighting.refresh_from_db()
    decide(client_of(expert), sighting, "confirm", sighting.candidates.get(rank=1))
    response = client_of(expert).post(reverse("review_undo", args=[project.slug]))
    assert response.status_code == 302
    sighting.refresh_from_db()
    assert sighting.status == Sighting.Status.CONFIRMED
    assert sighting.individual == first_choice
    assert sighting.decided_by == admin_user
    assert sighting.decided_at == earlier
    confirm = trail().get(action=Decision.Action.CONFIRM)
    undo = trail().get(action=Decision.Action.UNDO)
    assert undo.reverts == confirm and undo.user == expert and undo.sighting == sighting
    # Undo is not repeated: the next undo has nothing left.
    client_of(expert).post(reverse("review_undo", args=[project.slug]))
    assert trail().filter(action=Decision.Action.UNDO).count() == 1


def test_undo_of_new_individual_removes_it_and_returns_the_sighting_to_pending(
    client_of, expert, project, world, decide
):
    sighting = world["pending"][0]
    decide(client_of(expert), sighting, "new")
    assert Individual.objects.filter(code="IND-0007").exists()
    response = client_of(expert).post(reverse("review_undo", args=[project.slug]))
    assert response["Location"].startswith(
        reverse("review_sighting", args=[project.slug, sighting.pk])
    )
    sighting.refresh_from_db()
    assert (sighting.status, sighting.individual, sighting.decided_by) == ("pending", None, None)
    assert not Individual.objects.filter(code="IND-0007").exists()


def test_undo_of_a_reject_brings_the_candidate_back(client_of, expert, project, world, decide):
    sighting = world["pending"][0]
    candidate = sighting.candidates.get(rank=3)
    decide(client_of(expert), sighting, "reject", candidate)
    client_of(expert).post(reverse("review_undo", args=[project.slug]))
    assert not Candidate.objects.get(pk=candidate.pk).rejected


def test_undo_only_touches_this_users_last_decision(
    client_of, expert, second_expert, project, world, decide
):
    mine, theirs = world["pending"][0], world["pending"][1]
    decide(client_of(expert), mine, "confirm", mine.candidates.get(rank=1))
    decide(client_of(second_expert), theirs, "confirm", theirs.candidates.get(rank=1))
    client_of(expert).post(reverse("review_undo", args=[project.slug]))
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.status == "pending" and theirs.status == "confirmed"


def test_undo_refuses_when_someone_decided_the_sighting_since(
    client_of, expert, second_expert, project, world, decide
):
    sighting = world["pending"][0]
    decide(client_of(expert), sighting, "confirm", sighting.candidates.get(rank=1))
    sighting.refresh_from_db()
    decide(client_of(second_expert), sighting, "confirm", sighting.candidates.get(rank=2))
    response = client_of(expert).post(reverse("review_undo", args=[project.slug]), follow=True)
    assert "was changed by expert2 after your decision (confirmed candidate)" in response.text
    sighting.refresh_from_db()
    assert sighting.individual.code == "IND-0002"


def test_undo_twice_undoes_a_confirm_then_the_reject_before_it(
    client_of, expert, project, world, decide
):
    client = client_of(expert)
    sighting = world["pending"][0]
    rejected = sighting.candidates.get(rank=1)
    decide(client, sighting, "reject", rejected)
    sighting.refresh_from_db()
    decide(client, sighting, "confirm", sighting.candidates.get(rank=2))
    client.post(reverse("review_undo", args=[project.slug]))
    client.post(reverse("review_undo", args=[project.slug]))
    sighting.refresh_from_db()
    assert sighting.status == "pending" and sighting.individual is None
    assert not Candidate.objects.get(pk=rejected.pk).rejected
    assert trail().filter(action=Decision.Action.UNDO).count() == 2
