"""A MegaDetector-format model file built by the tests: real MegaDetector weights cannot be
downloaded here, so this is a randomly initialised YOLOv5n with MegaDetector's three classes,
saved the way the `megadetector` package loads checkpoints. Its boxes mean nothing."""

from pathlib import Path

import pytest
from PIL import Image


def random_megadetector(folder: Path) -> Path:
    _open = Image.open  # yolov5 imports ultralytics, which patches Image.open process-wide
    try:
        yolo = pytest.importorskip("yolov5.models.yolo", reason="the detector packages (venv.sh)")
    finally:
        Image.open = _open
    import torch

    torch.manual_seed(0)
    model = yolo.Model(str(Path(yolo.__file__).parent / "yolov5n.yaml"), nc=3)
    model.names = {0: "animal", 1: "person", 2: "vehicle"}
    path = folder / "random-yolov5n.pt"
    torch.save({"model": model}, path)
    return path
