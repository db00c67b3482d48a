"""The evaluation reads a bbox column as the crop, can ignore it, or runs a detector first."""

import csv
import json

import pytest
from PIL import Image

from identification.services.synthetic import camera_burst
from tests.pipeline.conftest import SMALL
from tests.pipeline.patterns import view as pattern_image
from worker.pipeline import evaluate
from worker.pipeline.data import load_metadata


@pytest.fixture(scope="module")
def frames(tmp_path_factory):
    """Three animals, three views each, pasted into frames of two cameras with data strips."""
    root = tmp_path_factory.mktemp("frames")
    # Each camera's frames differ by sensor noise, as real ones do; their strips do not.
    scenes = {
        cam: camera_burst(50 + cam, frames=9, size=(480, 360), animal_share=0.02)[0]
        for cam in (0, 1)
    }
    rows = []
    for ind in range(3):
        for view in range(3):
            cam = (ind + view) % 2
            frame = scenes[cam][3 * ind + view].copy()
            crop = pattern_image(ind, view, size=150)
            x, y = 60 + 40 * view, 90
            frame.paste(crop, (x, y))
            path = root / f"{ind}-{view}.jpg"
            frame.save(path, quality=92)
            split = "test" if view == 2 else "train"
            rows.append([f"{ind}-{view}", f"animal{ind}", path.name, split, f"[{x}, {y}, 150, 150]",
                         f"CAM-{cam}"])  # fmt: skip
    with open(root / "metadata.csv", "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["image_id", "identity", "path", "split", "bbox", "station"])
        writer.writerows(rows)
    return root


def test_a_record_with_a_bbox_opens_as_its_crop(frames):
    record = load_metadata(frames)[0]
    assert record.bbox == (60.0, 90.0, 150.0, 150.0) and record.camera == "CAM-0"
    assert record.open().size == (150, 150)
    assert Image.open(record.path).size == (480, 360)


@pytest.mark.parametrize(
    ("flags", "crop"),
    [([], "bbox"), (["--ignore-bbox"], "whole"), (["--detector", "none"], "detector:none")],
)
def test_the_crop_used_is_recorded_in_the_results(frames, tmp_path, flags, crop):
    out = tmp_path / "results.json"
    evaluate.main(
        ["--data", str(frames), "--out", str(out), "--config", json.dumps(SMALL),
         "--calibration-queries", "6", "--device", "cpu", *flags]
    )  # fmt: skip
    results = json.loads(out.read_text())
    assert results["meta"]["crop"] == crop
    assert 0.0 <= results["fused"]["top1"] <= 1.0
    if crop == "detector:none":
        assert results["meta"]["detection"]["frames"] == 9
        assert results["meta"]["detection"]["cameras_with_strips"] == 2
