"""The bars a camera burns into its frames are found from the frames alone."""

import pytest
from PIL import Image

from identification.services.synthetic import camera_burst
from tests.camtrapdp import camtrap_dp_dir
from worker.pipeline.detection.datastrip import Strips, find_strips


def test_a_generated_burst_has_its_top_and_bottom_bars_found():
    frames, _ = camera_burst(3, frames=4, size=(640, 480), strip_height=24)
    strips = find_strips(frames)
    top, bottom = strips.pixel_rows(480)
    assert 22 <= top <= 28 and 452 <= bottom <= 458


def test_one_frame_alone_finds_nothing():
    frames, _ = camera_burst(3, frames=1, size=(640, 480))
    assert not find_strips(frames).found


def test_a_box_is_cut_where_the_strip_starts():
    strips = Strips(top=0.05, bottom=0.1)
    assert strips.clip((0.2, 0.0, 0.3, 0.5)) == pytest.approx((0.2, 0.05, 0.3, 0.45))
    assert strips.clip((0.2, 0.92, 0.3, 0.08)) is None  # all of it is the bottom bar


def test_the_reconyx_frames_of_the_camtrap_dp_example_have_32_pixel_bars():
    folder = camtrap_dp_dir() / "example" / "media"
    files = sorted(folder.glob("*.JPG"))
    if len(files) < 2:
        pytest.skip(f"the Camtrap DP example images are not on this machine ({folder})")
    strips = find_strips([Image.open(f) for f in files[:4]])
    assert strips.pixel_rows(1440) == (32, 1408)
