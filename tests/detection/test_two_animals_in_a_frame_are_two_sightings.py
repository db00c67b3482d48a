"""Every animal at or above the project's threshold is its own sighting with its box."""

import pytest

from identification.models import DetectedObject, Sighting
from identification.services import detection_import
from identification.services.synthetic import camera_burst
from tests.detection.mdfiles import md_file
from tests.factories import camera_batch

pytestmark = pytest.mark.django_db


def test_two_animals_in_one_frame_become_two_sightings_with_their_boxes(project, deployment):
    frames, _ = camera_burst(seed=3, frames=2)
    batch, (first, second) = camera_batch(project, frames, deployment=deployment)
    raw = md_file(
        {
            first.original_name: [
                ("1", 0.91, [0.10, 0.30, 0.20, 0.25]),
                ("1", 0.64, [0.60, 0.35, 0.25, 0.30]),
                ("1", 0.08, [0.40, 0.40, 0.05, 0.05]),  # under the 0.2 threshold
            ],
            second.original_name: [("1", 0.88, [0.50, 0.30, 0.20, 0.25])],
        }
    )
    report = detection_import.import_file(batch, raw, "md.json")

    boxes = sorted(
        (s.bbox_x, s.bbox_y, s.bbox_width, s.bbox_height, s.detection_conf)
        for s in Sighting.objects.filter(media=first)
    )
    assert boxes == [(0.10, 0.30, 0.20, 0.25, 0.91), (0.60, 0.35, 0.25, 0.30, 0.64)]
    assert Sighting.objects.filter(media=second).count() == 1
    assert report.matched == 2 and report.sightings == 3
    # The weak box is kept as an object (a lower threshold could use it), not as a sighting.
    assert DetectedObject.objects.filter(media=first).count() == 3


def test_a_frame_re_detected_keeps_the_sighting_an_expert_decided(project, deployment, expert):
    from identification.services import decisions
    from tests.factories import add_individual

    frames, _ = camera_burst(seed=4, frames=1)
    batch, (frame,) = camera_batch(project, frames, deployment=deployment)
    box = [0.10, 0.30, 0.20, 0.25]
    detection_import.import_file(batch, md_file({frame.original_name: [("1", 0.9, box)]}), "a")
    sighting = Sighting.objects.get(media=frame)
    decisions.confirm(sighting, add_individual(project, "IND-0001", images=0), by=expert)

    again = md_file({frame.original_name: [("1", 0.8, box), ("1", 0.7, [0.6, 0.3, 0.2, 0.2])]})
    detection_import.import_file(batch, again, "b")

    kept = Sighting.objects.get(pk=sighting.pk)
    assert kept.status == Sighting.Status.CONFIRMED
    # The same animal is not added twice; the second one is new.
    assert Sighting.objects.filter(media=frame).count() == 2
