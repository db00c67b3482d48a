"""The re-ID task path end to end: the broker, a worker process, the models, the database."""

import pytest

from identification.models import Batch, Individual, Sighting
from worker.tasks import reid as reid_tasks

from .conftest import wait_for

pytestmark = [pytest.mark.services, pytest.mark.reid, pytest.mark.slow]


def test_worker_extracts_and_matches_a_batch_through_the_broker(
    start_worker,
    make_sighting,
    individuals,
    project,
):
    gallery = [make_sighting(a, v, individuals[a]) for a in range(3) for v in (1, 2)]
    batch = Batch.objects.create(project=project, status=Batch.Status.DONE)
    queries = [make_sighting(a, 3, batch=batch) for a in range(3)]
    worker = start_worker("gpu")

    reid_tasks.update_gallery.delay(project.pk, [s.pk for s in gallery])
    reid_tasks.process_batch.delay(batch.pk)

    def all_matched() -> bool:
        return (
            not Sighting.objects.filter(pk__in=[q.pk for q in queries])
            .exclude(pipeline_status=Sighting.PipelineStatus.MATCHED)
            .exists()
        )

    wait_for(all_matched, 240, "the worker to match the batch", worker)
    for animal, query in enumerate(queries):
        top = query.candidates.order_by("rank").first()
        assert top is not None
        assert top.individual == individuals[animal]
    assert Individual.objects.filter(project=project).count() == 4
