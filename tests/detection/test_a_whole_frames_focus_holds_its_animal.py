"""What the matcher sees of a whole frame: the box around what differs from the camera's
scene (its focus), padded; nothing narrower where the scene does not explain the frame."""

import numpy as np
from PIL import Image

from tests.detection.test_keypoints_on_a_cameras_static_scene_are_dropped import (
    H,
    W,
    _frame,
    _scene_pixels,
)
from worker.pipeline.detection.scene import Scene, focus_box, focus_in, focused


def _scene(bank: np.ndarray) -> Scene:
    scene = Scene.of(
        [_frame(bank, at, seed=i) for i, at in enumerate([(20, 30), None, (400, 300)])]
    )
    assert scene is not None
    return scene


def test_the_focus_holds_the_animal_and_little_of_the_bank():
    bank = _scene_pixels()
    frame = _frame(bank, (300, 150), seed=7)  # the animal: 120 x 80 at (300, 150)
    box = focus_box(_scene(bank).changed(frame), frame.size)
    assert box is not None
    left, top, right, bottom = box
    assert left <= 300 and top <= 150 and right >= 420 and bottom >= 230
    assert (right - left) * (bottom - top) < 4 * 120 * 80  # padded, not the frame


def test_the_focus_of_a_crop_is_placed_by_its_offset():
    bank = _scene_pixels()
    frame = _frame(bank, (300, 150), seed=7)
    changed = _scene(bank).changed(frame)
    whole = focus_box(changed, frame.size)
    crop = frame.crop((0, 40, W, H))  # a crop below a 40-px data strip
    inside = focus_in(crop.size, (0, 40), changed, frame.size)
    assert whole is not None and inside is not None
    assert inside == (whole[0], whole[1] - 40, whole[2], whole[3] - 40)
    assert focused(crop, (0, 40), changed, frame.size).size == (
        inside[2] - inside[0],
        inside[3] - inside[1],
    )


def test_a_frame_the_scene_does_not_explain_is_seen_whole():
    bank = _scene_pixels()
    scene = _scene(bank)
    night = Image.fromarray(255 - np.asarray(_frame(bank, (300, 150), seed=5)))
    assert focus_box(scene.changed(night), night.size) is None
    assert focused(night, (0, 0), scene.changed(night), night.size) is night
    empty = _frame(bank, None, seed=11)  # nothing changed: no focus either
    assert focus_box(scene.changed(empty), empty.size) is None
