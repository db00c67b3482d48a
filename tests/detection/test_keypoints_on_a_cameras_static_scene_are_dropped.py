"""A fixed camera's scene (the median of its frames) marks the keypoints that lie on the
riverbank rather than the animal; whole-frame sightings keep only the animal's."""

import numpy as np
from PIL import Image

from worker.pipeline.detection.scene import MIN_KEPT, Scene, off_scene

W, H = 640, 480


def _scene_pixels(seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    # A textured bank: smooth blobs, so blurring does not flatten it to grey.
    small = rng.uniform(40, 200, (12, 16))
    return np.asarray(
        Image.fromarray(small.astype(np.uint8)).resize((W, H), Image.Resampling.BICUBIC), float
    )


def _frame(
    scene: np.ndarray, animal_at: tuple[int, int] | None, seed: int, gain: float = 1.0
) -> Image.Image:
    rng = np.random.default_rng(seed)
    pixels = scene * gain + rng.normal(0, 3, scene.shape)
    if animal_at is not None:
        x, y = animal_at
        stripes = np.indices((80, 120))[1] // 10 % 2  # a zebra-ish flank
        pixels[y : y + 80, x : x + 120] = 20 + 220 * stripes
    grey = np.clip(pixels, 0, 255).astype(np.uint8)
    return Image.fromarray(np.stack([grey] * 3, axis=-1))


def _grid() -> np.ndarray:
    xs, ys = np.meshgrid(np.arange(8, W, 16), np.arange(8, H, 16))
    return np.stack([xs.ravel(), ys.ravel()], axis=1).astype(np.float32)


def _inside(points: np.ndarray, x: int, y: int) -> np.ndarray:
    return (
        (points[:, 0] >= x)
        & (points[:, 0] < x + 120)
        & (points[:, 1] >= y)
        & (points[:, 1] < y + 80)
    )


def test_the_scene_keeps_the_animals_keypoints_and_drops_the_banks():
    bank = _scene_pixels()
    places = [(20, 30), (400, 40), (250, 300), (60, 350), (480, 360), None]
    scene = Scene.of([_frame(bank, at, seed=i) for i, at in enumerate(places)])
    assert scene is not None

    frame = _frame(bank, (300, 150), seed=99)
    points = _grid()
    keep = scene.keep(frame, points)
    on_animal = _inside(points, 300, 150)
    assert keep[on_animal].mean() > 0.95  # the animal's keypoints stay
    assert keep[~on_animal].mean() < 0.1  # the bank's go
    # Where an earlier frame had its animal, this frame shows bank: dropped too.
    assert keep[_inside(points, 400, 40)].mean() < 0.1


def test_keypoints_of_a_crop_are_placed_by_its_offset():
    bank = _scene_pixels()
    scene = Scene.of(
        [_frame(bank, at, seed=i) for i, at in enumerate([(20, 30), None, (400, 300)])]
    )
    assert scene is not None
    frame = _frame(bank, (300, 150), seed=7)
    points = _grid()
    inside = _inside(points, 300, 150)
    # The same keypoints, given in the pixels of a crop that starts 40 px down.
    shifted = points[inside] - np.array([0, 40], np.float32)
    assert scene.keep(frame, shifted, offset=(0, 40)).all()


def test_a_frame_the_scene_does_not_explain_keeps_every_keypoint():
    bank = _scene_pixels()
    scene = Scene.of([_frame(bank, None, seed=i) for i in range(4)])
    assert scene is not None
    points = _grid()
    night = Image.fromarray(255 - np.asarray(_frame(bank, (300, 150), seed=5)))  # another scene
    assert scene.changed(night) is None
    assert scene.keep(night, points).all()
    other_size = _frame(bank, (300, 150), seed=5).resize((320, 240))
    assert scene.keep(other_size, points).all()
    # Nothing changed at all (a frame like the scene): nothing would remain, so all stay.
    assert scene.keep(_frame(bank, None, seed=11), points).all()


def test_a_brighter_exposure_of_the_same_bank_is_still_the_bank():
    bank = _scene_pixels()
    scene = Scene.of([_frame(bank, None, seed=i) for i in range(4)])
    assert scene is not None
    points = _grid()
    keep = scene.keep(_frame(bank, (300, 150), seed=3, gain=1.25), points)
    assert keep[~_inside(points, 300, 150)].mean() < 0.1


def test_too_few_frames_give_no_scene_and_too_few_kept_keypoints_keep_all():
    bank = _scene_pixels()
    assert Scene.of([_frame(bank, None, seed=i) for i in range(2)]) is None
    changed = np.zeros((10, 10), bool)
    changed[0, 0] = True
    points = np.array([[1.0, 1.0]] * (MIN_KEPT - 1) + [[500.0, 400.0]] * 40, np.float32)
    assert off_scene(changed, (W, H), points).all()


def test_a_scene_survives_its_round_trip_through_storage():
    bank = _scene_pixels()
    scene = Scene.of([_frame(bank, None, seed=i) for i in range(3)])
    assert scene is not None
    again = Scene.from_bytes(scene.to_bytes())
    assert again.frame_size == (W, H)
    assert np.abs(again.pixels - scene.pixels).max() <= 0.5
