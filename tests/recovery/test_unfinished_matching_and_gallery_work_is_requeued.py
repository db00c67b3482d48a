"""After ingest, the sweeper watches the re-ID stage too: a batch whose pending sightings are
neither matched nor failed gets `detect_batch` again (which queues `process_batch`),
confirmed sightings without features
(a catalogue import's gallery) get `update_gallery`, and the last retry gives them up."""

import pytest
from django.utils import timezone

from identification.models import Batch, Sighting, SightingFeatures
from identification.services import reid_hooks
from reidsite.celery import app as celery_app
from tests.factories import add_individual, add_sighting


def later_by(minutes: float):
    import datetime as dt

    return dt.timedelta(minutes=minutes)


pytestmark = [pytest.mark.django_db, pytest.mark.services]


@pytest.fixture(autouse=True)
def _reid_on(settings):
    settings.REIDSITE_ENABLE_REID = True  # only queued here: no worker runs the models
    settings.REIDSITE_SWEEP_MAX_RETRIES = 2


def _ingested(project, kind=Batch.Kind.FILES) -> Batch:
    now = timezone.now()
    return Batch.objects.create(
        project=project, kind=kind, status=Batch.Status.DONE, started_at=now, finished_at=now
    )


def test_a_batch_with_unmatched_pending_sightings_gets_its_pipeline_again(
    project, sweep_at, stall_minutes, broker
):
    batch = _ingested(project)
    add_sighting(project, batch=batch, p_new=0.4)  # matched
    waiting = add_sighting(project, batch=batch)  # features, not matched: the chain broke
    Sighting.objects.filter(pk=waiting.pk).update(pipeline_status="extracted")

    assert sweep_at(stall_minutes * 0.5).retried == []
    result = sweep_at(stall_minutes + 1)

    assert result.retried == [(batch.pk, "matching")]
    # Through detection (frames still waiting for it first), which then queues matching.
    assert broker("gpu") == [(reid_hooks.DETECT_BATCH_TASK, [batch.pk])]


def test_frames_waiting_for_a_detection_file_are_not_stalled(
    project, sweep_at, stall_minutes, broker
):
    from identification.models import Media

    project.detector = "import"
    project.save()
    batch = _ingested(project)
    waiting = add_sighting(project, batch=batch)
    Media.objects.filter(pk=waiting.media_id).update(detection_status="pending")

    assert sweep_at(stall_minutes + 1).retried == []
    assert broker("gpu") == []


def test_detection_in_progress_is_progress(project, sweep_at, stall_minutes, broker):
    from identification.models import Media

    batch = _ingested(project)
    add_sighting(project, batch=batch)  # still to detect, and match
    Media.objects.filter(batch=batch).update(detected_at=timezone.now() + later_by(stall_minutes))

    assert sweep_at(stall_minutes + 1).retried == []


def test_decided_sightings_that_were_never_matched_are_not_waited_for(
    project, sweep_at, stall_minutes, broker
):
    batch = _ingested(project)
    individual = add_individual(project, "IND-0001", images=1)
    decided = add_sighting(project, batch=batch)
    Sighting.objects.filter(pk=decided.pk).update(
        status=Sighting.Status.CONFIRMED, individual=individual, pipeline_status="extracted"
    )
    SightingFeatures.objects.create(sighting=decided, data=b"", config_key="k")

    assert sweep_at(stall_minutes + 1).retried == []
    assert broker("gpu") == []


def test_confirmed_sightings_without_features_get_update_gallery(
    project, sweep_at, stall_minutes, broker
):
    batch = _ingested(project, kind=Batch.Kind.IMPORT)
    individual = add_individual(project, "IND-0001", images=0)
    gallery = [add_sighting(project, batch=batch, individual=individual) for _ in range(3)]
    SightingFeatures.objects.create(sighting=gallery[0], data=b"", config_key="k")

    result = sweep_at(stall_minutes + 1)

    assert result.retried == [(batch.pk, "gallery")]
    expected = [project.pk, sorted(s.pk for s in gallery[1:])]
    assert broker("gpu") == [(reid_hooks.UPDATE_GALLERY_TASK, expected)]


def test_matching_that_never_progresses_is_given_up_with_a_message(
    project, sweep_at, stall_minutes, broker
):
    batch = _ingested(project)
    matched = add_sighting(project, batch=batch, p_new=0.4)
    stuck = [add_sighting(project, batch=batch) for _ in range(2)]
    step = stall_minutes + 1
    for retry in (1, 2):
        assert sweep_at(step * retry).retried == [(batch.pk, "matching")]
        celery_app.control.purge()

    assert sweep_at(step * 3).given_up == [(batch.pk, "matching")]

    batch.refresh_from_db()
    assert batch.status == Batch.Status.FAILED
    assert "Matching stalled" in batch.message and "2 sightings have no candidates" in batch.message
    for sighting in stuck:
        sighting.refresh_from_db()
        assert sighting.pipeline_status == Sighting.PipelineStatus.FAILED
        assert "given up" in sighting.pipeline_error
    matched.refresh_from_db()
    assert matched.pipeline_status == Sighting.PipelineStatus.MATCHED
    assert sweep_at(step * 6).retried == [] and broker("gpu") == []


def test_nothing_of_the_re_id_stage_is_swept_when_re_id_is_off(
    project, settings, sweep_at, stall_minutes, broker
):
    settings.REIDSITE_ENABLE_REID = False
    batch = _ingested(project)
    add_sighting(project, batch=batch)

    assert sweep_at(stall_minutes + 1).retried == []
