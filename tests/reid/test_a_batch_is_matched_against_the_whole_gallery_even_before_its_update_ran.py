"""Gallery images still without features (a catalogue import whose gallery update waits in
the queue behind the batch, as on the demo's first-come-first-served broker) are extracted
before the batch's sightings are matched, so none is matched against part of the gallery."""

import pytest
from django.utils import timezone

from identification.models import Batch, SightingFeatures
from worker.tasks import reid as reid_tasks

pytestmark = [pytest.mark.django_db, pytest.mark.reid]


def test_the_batch_extracts_the_waiting_gallery_first(
    project, make_sighting, individuals, settings
):
    settings.REIDSITE_ENABLE_REID = False  # the confirmations' gallery updates not run yet
    gallery = [make_sighting(a, 1, individuals[a]) for a in range(3)]
    batch = Batch.objects.create(
        project=project, status=Batch.Status.DONE, finished_at=timezone.now()
    )
    query = make_sighting(2, 2, batch=batch)
    assert not SightingFeatures.objects.filter(sighting__in=gallery).exists()
    settings.REIDSITE_ENABLE_REID = True

    reid_tasks.process_batch(batch.pk)

    assert SightingFeatures.objects.filter(sighting__in=gallery).count() == 3
    ranked = list(query.candidates.order_by("rank").values_list("individual_id", flat=True))
    assert sorted(ranked) == sorted(i.pk for i in individuals[:3]), "every gallery individual"
    assert ranked[0] == individuals[2].pk
