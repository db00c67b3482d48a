"""A burst of one animal is one track: reviewed once, decided once for all frames (issue 14)."""

import pytest
from django.urls import reverse

from identification.models import Decision, Individual, Sighting
from identification.services import review_queue as rq
from tests.factories import add_individual, burst_track, trail

pytestmark = pytest.mark.django_db


@pytest.fixture
def burst(project, deployment):
    individuals = [add_individual(project, f"IND-{i:04d}") for i in range(1, 4)]
    return burst_track(project, deployment, individuals), individuals


def _post(client, sighting, action, **data):
    url = reverse("review_decide", args=[sighting.project.slug, sighting.pk])
    return client.post(url, {"action": action, "version": sighting.version, **data})


def _undo(client, project):
    return client.post(reverse("review_undo", args=[project.slug]))


def test_the_frames_of_a_burst_form_one_track_served_once(project, burst):
    frames, _ = burst
    assert frames[0].track_id is not None
    assert {f.track_id for f in frames} == {frames[0].track_id}
    queue = list(rq.queue(project, rq.QueueFilters()).values_list("pk", flat=True))
    assert queue == [frames[0].pk]
    assert rq.counts(project, rq.QueueFilters())["pending"] == 1  # one review, not three


def test_confirming_the_track_confirms_every_frame_and_undo_restores_all(
    client_of, expert, project, burst
):
    frames, individuals = burst
    lead = frames[0]
    candidate = lead.candidates.get(individual=individuals[1])
    _post(client_of(expert), lead, "confirm", candidate=candidate.pk)
    for frame in frames:
        frame.refresh_from_db()
        assert (frame.status, frame.individual) == (Sighting.Status.CONFIRMED, individuals[1])
    recorded = trail().filter(action=Decision.Action.CONFIRM)
    assert recorded.count() == 3  # each frame's decision is in the trail
    assert {d.candidate.individual for d in recorded} == {individuals[1]}
    lead_decision = recorded.get(sighting=lead)
    assert len(lead_decision.details["track_frames"]) == 2

    _undo(client_of(expert), project)
    for frame in frames:
        frame.refresh_from_db()
        assert (frame.status, frame.individual) == (Sighting.Status.PENDING, None)
    assert trail().filter(action=Decision.Action.UNDO).count() == 3
    assert list(rq.queue(project, rq.QueueFilters()).values_list("pk", flat=True)) == [lead.pk]


def test_a_new_individual_for_the_track_is_one_individual_and_undo_removes_it(
    client_of, expert, project, burst
):
    frames, _ = burst
    _post(client_of(expert), frames[0], "new")
    created = Individual.objects.get(code="IND-0004")
    assert created.sightings.count() == 3
    _undo(client_of(expert), project)
    assert not Individual.objects.filter(code="IND-0004").exists()
    assert all(f.status == "pending" for f in Sighting.objects.filter(track=frames[0].track))


def test_no_animal_and_reject_apply_to_every_frame(client_of, expert, project, burst):
    frames, individuals = burst
    lead = frames[0]
    _post(client_of(expert), lead, "reject", candidate=lead.candidates.get(rank=1).pk)
    for frame in frames:
        assert frame.candidates.get(individual=individuals[0]).rejected
    _undo(client_of(expert), project)
    assert not any(f.candidates.get(individual=individuals[0]).rejected for f in frames)
    lead.refresh_from_db()
    _post(client_of(expert), lead, "discard")
    assert set(
        Sighting.objects.filter(pk__in=[f.pk for f in frames]).values_list("status", flat=True)
    ) == {Sighting.Status.REJECTED}


def test_an_expert_splits_a_frame_off_and_undo_puts_it_back(client_of, expert, project, burst):
    frames, _ = burst
    lead, _, last = frames
    url = reverse("review_untrack", args=[project.slug, lead.pk])
    response = client_of(expert).post(url, {"frame": last.pk}, headers={"HX-Request": "true"})
    assert "split off the track" in response.content.decode()
    last.refresh_from_db()
    assert last.track_id is None
    queue = set(rq.queue(project, rq.QueueFilters()).values_list("pk", flat=True))
    assert queue == {lead.pk, last.pk}  # reviewed on its own now
    assert trail().get().action == Decision.Action.UNTRACK

    _undo(client_of(expert), project)
    last.refresh_from_db()
    assert last.track_id == lead.track_id
    assert list(rq.queue(project, rq.QueueFilters()).values_list("pk", flat=True)) == [lead.pk]


def test_the_review_screen_shows_the_tracks_frames(client_of, expert, project, burst):
    frames, _ = burst
    url = reverse("review_sighting", args=[project.slug, frames[0].pk])
    html = client_of(expert).get(url).content.decode()
    assert "Track of 3 frames" in html
    for frame in frames:
        assert f'name="frame" value="{frame.pk}"' in html


def test_only_a_frame_of_the_track_on_screen_can_be_split_off(
    client_of, expert, project, deployment, burst
):
    frames, individuals = burst
    elsewhere = burst_track(project, deployment, individuals)[1]
    url = reverse("review_untrack", args=[project.slug, frames[0].pk])
    response = client_of(expert).post(url, {"frame": elsewhere.pk}, headers={"HX-Request": "true"})
    assert "No such frame in this sighting" in response.content.decode()
    elsewhere.refresh_from_db()
    assert elsewhere.track_id is not None
    assert not trail().exists()
