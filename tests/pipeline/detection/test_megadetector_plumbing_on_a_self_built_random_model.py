"""The `megadetector` backend loads a weights file and turns its output into detections.

The model here is a randomly initialised YOLOv5n built by the test (real MegaDetector
weights cannot be downloaded here): its boxes mean nothing. The test checks the plumbing
only: loading through the package, inference on a frame, categories and relative boxes.
"""

import pytest

from identification.services.synthetic import camera_burst
from tests.megadetector_model import random_megadetector
from worker.pipeline.detection import CATEGORIES, get_detector


@pytest.fixture(scope="module")
def weights(tmp_path_factory):
    return random_megadetector(tmp_path_factory.mktemp("md"))


def test_a_self_built_model_file_loads_and_its_output_becomes_detections(weights):
    from PIL import Image, ImageFile

    pillows_own = Image.open
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    detector = get_detector("megadetector", weights=weights, force_cpu=True, keep_above=0.0)
    # Loading the checkpoint imports ultralytics, which patches Image.open process-wide; the
    # backend undoes that, or later "not an image" reports would say "No module named pi_heif".
    assert Image.open is pillows_own
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
    assert detector.version.startswith("megadetector:random-yolov5n.pt:")
    frames, _ = camera_burst(1, frames=2, size=(640, 480))
    results = detector.detect(frames)
    assert len(results) == 2
    found = [d for frame in results for d in frame]
    assert found, "a random model still outputs (meaningless) low-confidence boxes"
    assert {d.category for d in found} <= set(CATEGORIES.values())
    for d in found:
        x, y, w, h = d.bbox
        assert 0 <= x <= 1 and 0 <= y <= 1 and 0 < w <= 1 and 0 < h <= 1


def test_missing_weights_say_where_to_get_them(tmp_path):
    with pytest.raises(FileNotFoundError, match="REIDSITE_DETECTOR_WEIGHTS"):
        get_detector("megadetector", weights=tmp_path / "md_v5a.0.0.pt")
