"""A batch whose images are stored but whose sightings wait for the matcher says so (#14)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from identification.models import Batch, Media, Sighting
from tests.factories import add_sighting

pytestmark = pytest.mark.django_db


@pytest.fixture
def stored_batch(project, settings):
    settings.REIDSITE_ENABLE_REID = True
    batch = Batch.objects.create(
        project=project, status=Batch.Status.DONE, started_at=timezone.now(),
        finished_at=timezone.now(),
    )  # fmt: skip
    matched = add_sighting(project, p_new=0.4, batch=batch)
    waiting = add_sighting(project, batch=batch)  # queued, not matched yet
    Media.objects.filter(batch=batch).update(detection_status=Media.Detection.DONE)
    return batch, matched, waiting


def test_a_batch_is_not_done_before_its_sightings_are_matched(
    client_of, ranger, project, stored_batch
):
    batch, _, waiting = stored_batch
    client = client_of(ranger)
    detail = client.get(reverse("batch_detail", args=[project.slug, batch.pk])).text
    assert "<b>Matching</b>" in detail and "<b>Done</b>" not in detail
    listing = client.get(reverse("batch_list", args=[project.slug])).text
    assert "Matching (1 left)" in listing

    Sighting.objects.filter(pk=waiting.pk).update(pipeline_status=Sighting.PipelineStatus.MATCHED)
    detail = client.get(reverse("batch_detail", args=[project.slug, batch.pk])).text
    assert "<b>Done</b>" in detail
    assert "Matching" not in client.get(reverse("batch_list", args=[project.slug])).text
