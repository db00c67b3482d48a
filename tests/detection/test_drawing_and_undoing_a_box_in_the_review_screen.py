"""Box changes in the review screen and on the media page: each is a decision in the trail
and can be undone; the plain form takes pixel coordinates."""

import pytest
from django.urls import reverse

from identification.models import Decision, Media, Sighting, SightingFeatures
from identification.services import detection_import
from identification.services.synthetic import camera_burst
from tests.detection.mdfiles import md_file
from tests.factories import camera_batch

pytestmark = pytest.mark.django_db

A = Decision.Action


@pytest.fixture
def frames(project, deployment):
    burst, _ = camera_burst(seed=31, frames=2)  # 960 x 720
    batch, media = camera_batch(project, burst, deployment=deployment)
    raw = md_file({media[0].original_name: [("1", 0.9, [0.1, 0.2, 0.3, 0.4])],
                   media[1].original_name: []})  # fmt: skip
    detection_import.import_file(batch, raw, "md.json")
    return [Media.objects.get(pk=m.pk) for m in media]


def _box(client, project, sighting, **data):
    url = reverse("review_box", args=[project.slug, sighting.pk])
    return client.post(url, {"version": sighting.version, **data})


def test_moving_a_box_is_a_decision_and_undo_puts_it_back(client, project, frames, expert):
    sighting = Sighting.objects.get(media=frames[0])
    SightingFeatures.objects.create(sighting=sighting, data=b"x", config_key="k")
    client.force_login(expert)

    response = _box(client, project, sighting, action="set", left=192, top=72, width=480,
                    height=360)  # fmt: skip
    assert response.status_code == 302

    sighting.refresh_from_db()
    assert (sighting.bbox_x, sighting.bbox_y, sighting.bbox_width, sighting.bbox_height) == (
        0.2, 0.1, 0.5, 0.5,
    )  # fmt: skip
    assert sighting.detection_conf is None  # an expert's box, not the detector's
    assert not SightingFeatures.objects.filter(sighting=sighting).exists()
    assert sighting.pipeline_status == Sighting.PipelineStatus.QUEUED
    decision = Decision.objects.get(action=A.BOX)
    assert decision.user == expert and decision.previous_state["bbox"] == [0.1, 0.2, 0.3, 0.4]

    client.post(reverse("review_undo", args=[project.slug]))
    sighting.refresh_from_db()
    assert (sighting.bbox_x, sighting.bbox_y, sighting.bbox_width, sighting.bbox_height) == (
        0.1, 0.2, 0.3, 0.4,
    )  # fmt: skip
    assert Decision.objects.filter(action=A.UNDO, reverts=decision).exists()


def test_adding_another_animal_and_undoing_it(client, project, frames, expert):
    sighting = Sighting.objects.get(media=frames[0])
    client.force_login(expert)
    _box(client, project, sighting, action="add", left=600, top=300, width=200, height=150)
    added = Sighting.objects.filter(media=frames[0]).exclude(pk=sighting.pk).get()
    assert added.status == Sighting.Status.PENDING
    assert Decision.objects.get(action=A.ADD_BOX).sighting == added

    client.post(reverse("review_undo", args=[project.slug]))
    added.refresh_from_db()
    assert added.status == Sighting.Status.REMOVED


def test_removing_a_wrong_box_leaves_a_blank_frame_until_undone(client, project, frames, expert):
    sighting = Sighting.objects.get(media=frames[0])
    client.force_login(expert)
    _box(client, project, sighting, action="remove")
    sighting.refresh_from_db()
    assert sighting.status == Sighting.Status.REMOVED
    assert Media.objects.get(pk=frames[0].pk).is_blank

    client.post(reverse("review_undo", args=[project.slug]))
    sighting.refresh_from_db()
    assert sighting.status == Sighting.Status.PENDING
    assert not Media.objects.get(pk=frames[0].pk).is_blank


def test_a_box_without_coordinates_or_outside_the_image_is_refused(client, project, frames, expert):
    sighting = Sighting.objects.get(media=frames[0])
    client.force_login(expert)
    response = _box(client, project, sighting, action="set", left=10, top=10)
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "left, top, width and height in pixels" in page
    _box(client, project, sighting, action="set", left=5000, top=10, width=10, height=10)
    assert not Decision.objects.filter(action=A.BOX).exists()


def test_a_ranger_adds_a_box_to_a_blank_frame_and_it_reaches_the_queue(
    client, project, frames, ranger, expert
):
    from identification.services.review_queue import QueueFilters, counts

    blank = frames[1]
    assert blank.is_blank
    client.force_login(ranger)
    page = client.get(reverse("media_detail", args=[project.slug, blank.pk])).content.decode()
    assert "Add an animal the detector missed" in page
    response = client.post(
        reverse("media_add_box", args=[project.slug, blank.pk]),
        {"action": "add", "left": 100, "top": 100, "width": 300, "height": 200},
    )
    assert response.status_code == 302
    assert not Media.objects.get(pk=blank.pk).is_blank
    assert Decision.objects.get(action=A.ADD_BOX).user == ranger
    assert counts(project, QueueFilters())["pending"] == 2
    # Rangers do not edit boxes in the review screen (it is for experts).
    sighting = Sighting.objects.get(media=frames[0])
    assert _box(client, project, sighting, action="remove").status_code == 403
