"""Background subtraction over a burst finds the animal that moves through it."""

from identification.services.synthetic import camera_burst
from worker.pipeline.detection import ANIMAL, Detection, get_detector
from worker.pipeline.detection.datastrip import find_strips


def _best_iou(found: list[Detection], box) -> float:
    truth = Detection(ANIMAL, 1.0, box)
    return max((d.iou(truth) for d in found), default=0.0)


def test_a_pattern_moving_over_a_fixed_background_is_boxed_in_every_frame():
    frames, boxes = camera_burst(7, frames=5, size=(640, 480))
    detector = get_detector("motion", strips=find_strips(frames))
    results = detector.detect(frames)
    assert [_best_iou(found, box) >= 0.5 for found, box in zip(results, boxes, strict=True)] == [
        True
    ] * 5


def test_an_animal_that_stands_still_is_missed_as_documented():
    frames, boxes = camera_burst(7, frames=5, size=(640, 480), still=True)
    results = get_detector("motion").detect(frames)
    assert all(_best_iou(found, box) < 0.5 for found, box in zip(results, boxes, strict=True))


def test_a_single_frame_is_kept_whole_rather_than_called_blank():
    frames, _ = camera_burst(7, frames=1, size=(640, 480))
    assert get_detector("motion").detect(frames) == [[Detection(ANIMAL, 1.0, (0, 0, 1, 1))]]
