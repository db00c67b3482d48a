import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from identification.models import Deployment, Event, Media
from identification.services import batches as batch_service
from tests.images import jpeg_bytes
from worker.tasks import ingest as ingest_tasks

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2024, 5, 1, 22, 0, 0)


def _at(seconds: int, seed: int) -> bytes:
    return jpeg_bytes(seed=seed, taken_at=T0 + dt.timedelta(seconds=seconds))


def _events_by_name() -> dict[str, int | None]:
    return dict(Media.objects.values_list("original_name", "event_id"))


def test_images_within_the_gap_form_one_event_and_a_longer_pause_starts_another(
    upload, project, deployment
):
    # Gap 60 s: 0, 30, 90 are chained (each within 60 s of the previous); 151 starts a new one.
    upload(
        {"a.jpg": _at(0, 1), "b.jpg": _at(30, 2), "c.jpg": _at(90, 3), "d.jpg": _at(151, 4)},
        deployment,
    )
    events = _events_by_name()
    assert events["a.jpg"] == events["b.jpg"] == events["c.jpg"]
    assert events["d.jpg"] != events["a.jpg"] and events["d.jpg"] is not None
    first = Event.objects.get(pk=events["a.jpg"])
    assert first.start == (T0).replace(tzinfo=dt.UTC)
    assert first.end == (T0 + dt.timedelta(seconds=90)).replace(tzinfo=dt.UTC)


def test_the_gap_is_a_project_setting(upload, project, deployment):
    project.event_gap_seconds = 10
    project.save()
    upload({"a.jpg": _at(0, 1), "b.jpg": _at(30, 2)}, deployment)
    events = _events_by_name()
    assert events["a.jpg"] != events["b.jpg"]


def test_two_deployments_never_share_an_event(upload, project, deployment):
    other = Deployment.objects.create(project=project, code="CAM-02")
    upload({"a.jpg": _at(0, 1)}, deployment)
    upload({"b.jpg": _at(5, 2)}, other)
    events = _events_by_name()
    assert events["a.jpg"] != events["b.jpg"]


def test_a_later_batch_joins_the_burst_it_belongs_to(upload, project, deployment):
    # The second card holds the middle of the burst: grouping must not depend on upload order.
    upload({"a.jpg": _at(0, 1), "c.jpg": _at(100, 3)}, deployment)
    assert len(set(_events_by_name().values())) == 2
    upload({"b.jpg": _at(50, 2)}, deployment)
    events = _events_by_name()
    assert events["a.jpg"] == events["b.jpg"] == events["c.jpg"]
    assert Event.objects.filter(deployment=deployment).count() == 1


def test_images_without_time_or_deployment_belong_to_no_event(upload, project, deployment):
    upload({"notime.jpg": jpeg_bytes(seed=9, exif=False)}, deployment)
    upload({"nodep.jpg": _at(0, 8)})
    assert set(_events_by_name().values()) == {None}


def test_grouping_does_not_depend_on_the_order_workers_store_images(project, deployment, ranger):
    files = [SimpleUploadedFile(f"{n}.jpg", _at(t, n)) for n, t in enumerate([0, 40, 80, 200])]
    batch = batch_service.create_batches(project, deployment, ranger, files)[0]
    batch_service.start_processing(batch)
    # One item per chunk, last first: as if four workers finished in reverse order.
    for item_id in batch.items.order_by("-seq").values_list("pk", flat=True):
        ingest_tasks.process_items(batch.pk, [item_id])
    events = _events_by_name()
    assert events["0.jpg"] == events["1.jpg"] == events["2.jpg"] != events["3.jpg"]
    assert Event.objects.filter(deployment=deployment).count() == 2


def test_a_burst_keeps_its_event_id_when_a_later_batch_adds_to_it(upload, project, deployment):
    upload({"a.jpg": _at(0, 1), "b.jpg": _at(30, 2)}, deployment)
    before = _events_by_name()["a.jpg"]
    upload({"c.jpg": _at(60, 3), "early.jpg": _at(-600, 4)}, deployment)
    events = _events_by_name()
    assert events["a.jpg"] == events["b.jpg"] == events["c.jpg"] == before
    assert events["early.jpg"] not in (None, before)


def test_a_card_that_bridges_two_bursts_merges_them(upload, project, deployment):
    upload({"a.jpg": _at(0, 1), "c.jpg": _at(100, 3)}, deployment)
    upload({"b.jpg": _at(50, 2)}, deployment)
    assert len(set(_events_by_name().values())) == 1
    assert Event.objects.count() == 1, "the emptied event is deleted"
