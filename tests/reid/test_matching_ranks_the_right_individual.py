import pytest

from identification.models import Sighting
from worker.tasks import reid as reid_tasks

pytestmark = [pytest.mark.django_db, pytest.mark.reid]


def test_pending_sighting_gets_its_own_individual_ranked_first(make_sighting, individuals):
    gallery = [make_sighting(a, v, individuals[a]) for a in range(4) for v in (1, 2)]
    reid_tasks.update_gallery(individuals[0].project_id, [s.pk for s in gallery])
    queries = [make_sighting(a, 3) for a in range(4)]

    reid_tasks.match([q.pk for q in queries])

    for animal, query in enumerate(queries):
        query.refresh_from_db()
        assert query.pipeline_status == Sighting.PipelineStatus.MATCHED
        ranked = list(query.candidates.order_by("rank"))
        assert ranked, "a gallery of four individuals yields candidates"
        assert ranked[0].individual_id == individuals[animal].pk
        assert 0.0 <= ranked[0].fused <= 1.0
        assert set(ranked[0].scores) >= {"global", "aliked"}
        assert ranked[0].correspondences, "the best pair keeps its keypoint matches"
        assert ranked[0].model_versions.get("aliked")
        assert query.p_new == pytest.approx(1.0 - ranked[0].fused)


def test_sighting_with_an_empty_gallery_is_proposed_as_new(make_sighting):
    query = make_sighting(7, 1)
    reid_tasks.match([query.pk])
    query.refresh_from_db()
    assert query.pipeline_status == Sighting.PipelineStatus.MATCHED
    assert query.p_new == 1.0
    assert not query.candidates.exists()


def test_matching_twice_gives_the_same_candidates(make_sighting, individuals):
    gallery = [make_sighting(a, 1, individuals[a]) for a in range(3)]
    reid_tasks.update_gallery(individuals[0].project_id, [s.pk for s in gallery])
    query = make_sighting(1, 2)
    reid_tasks.match([query.pk])
    first = list(query.candidates.order_by("rank").values_list("individual_id", "fused"))
    reid_tasks.match([query.pk])
    second = list(query.candidates.order_by("rank").values_list("individual_id", "fused"))
    assert first == second
    assert len(first) == 3
