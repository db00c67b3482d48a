"""A confirmation reaches the pending sightings through the gallery, incrementally."""

import pytest
from django.utils import timezone

from identification.models import Individual, Sighting
from worker.pipeline.fusion import WildFusion
from worker.tasks import reid as reid_tasks

pytestmark = [pytest.mark.django_db, pytest.mark.reid]


def _confirm(sighting, individual):
    # Decisions are the review screen's business; here only the resulting state matters.
    Sighting.objects.filter(pk=sighting.pk).update(
        status=Sighting.Status.CONFIRMED, individual=individual, decided_at=timezone.now()
    )


def test_confirmation_changes_the_next_ranking_without_a_full_recompute(
    make_sighting, individuals, monkeypatch
):
    project_id = individuals[0].project_id
    gallery = [make_sighting(a, 1, individuals[a]) for a in range(3)]
    reid_tasks.update_gallery(project_id, [s.pk for s in gallery])
    # Animal 5 is not in the gallery yet: two pending sightings of it, one of animal 1.
    first, second = make_sighting(5, 1), make_sighting(5, 2)
    other = make_sighting(1, 2)
    reid_tasks.match([first.pk, second.pk, other.pk])
    second.refresh_from_db()
    p_new_before = second.p_new
    newcomer = Individual.objects.create(project_id=project_id, code="A5")
    assert not second.candidates.filter(individual=newcomer).exists()

    full_ranks = []
    original_rank = WildFusion.rank
    monkeypatch.setattr(
        WildFusion,
        "rank",
        lambda self, *a, **k: full_ranks.append(1) or original_rank(self, *a, **k),
    )
    _confirm(first, newcomer)
    reid_tasks.update_gallery(project_id, [first.pk])

    second.refresh_from_db()
    top = second.candidates.order_by("rank").first()
    assert top.individual_id == newcomer.pk, "the newly confirmed individual now ranks first"
    assert second.p_new < p_new_before
    assert full_ranks == [], "pending sightings were re-scored against the new image only"
    other.refresh_from_db()
    assert other.candidates.order_by("rank").first().individual_id == individuals[1].pk


def test_unconfirmed_gallery_image_is_dropped_from_pending_candidates(make_sighting, individuals):
    project_id = individuals[0].project_id
    gallery = [make_sighting(a, 1, individuals[a]) for a in range(3)]
    reid_tasks.update_gallery(project_id, [s.pk for s in gallery])
    query = make_sighting(2, 2)
    reid_tasks.match([query.pk])
    assert query.candidates.filter(gallery_sighting=gallery[2]).exists()

    # An undo puts gallery[2] back to pending: it must stop standing for individual A2.
    Sighting.objects.filter(pk=gallery[2].pk).update(
        status=Sighting.Status.PENDING, individual=None
    )
    reid_tasks.update_gallery(project_id, [gallery[2].pk])

    assert not query.candidates.filter(gallery_sighting=gallery[2]).exists()
    assert not query.candidates.filter(individual=individuals[2]).exists()
