"""Detection: frames per second of each backend, and how well motion detection finds animals.

    .venv/bin/python benchmarks/detection.py [--bursts 40] [--frames 5] [--threads 2]
        [--megadetector-frames 3]

Bursts are generated (identification.services.synthetic.camera_burst: a textured scene with
sensor noise, Reconyx-like data strips, a patterned animal walking across) with their true
boxes, in four conditions: moving (the animal crosses the frame), still (it stands), swaying
(a band of "vegetation" shifts between frames) and a brightness jump halfway (light changes).
Motion recall and precision count a detection as right at IoU >= 0.5 with the true box.

MegaDetector speed is measured on randomly initialised models of MegaDetector's own
architectures (MDv5a/b are YOLOv5x6 at 1280 px; a YOLOv5n for comparison), built here since
weights cannot be downloaded: their boxes mean nothing, their speed is the real one. Prints a
table and writes benchmarks/out/detection.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a plain script

from identification.services.synthetic import camera_burst  # noqa: E402
from worker.pipeline.detection import ANIMAL, Detection, get_detector  # noqa: E402
from worker.pipeline.detection.datastrip import find_strips  # noqa: E402

OUT = ROOT / "benchmarks" / "out"
SIZE = (1280, 960)


def _sway(frames: list[Image.Image], seed: int) -> list[Image.Image]:
    """A band of vegetation that shifts a few pixels between frames (wind)."""
    rng = np.random.default_rng(seed)
    band = rng.uniform(40, 200, (SIZE[1] // 6, SIZE[0] + 40, 3))
    out = []
    for frame in frames:
        a = np.asarray(frame, dtype=np.float32).copy()
        shift = int(rng.integers(0, 30))
        top = SIZE[1] - SIZE[1] // 6 - 40
        a[top : top + band.shape[0]] = band[:, shift : shift + SIZE[0]]
        out.append(Image.fromarray(a.astype(np.uint8)))
    return out


def _jump(frames: list[Image.Image]) -> list[Image.Image]:
    half = len(frames) // 2
    return [
        f if k < half else f.point(lambda v: min(255, int(v * 1.5))) for k, f in enumerate(frames)
    ]


def motion_quality(bursts: int, frames: int) -> dict[str, dict[str, float]]:
    results = {}
    for condition in ("moving", "still", "swaying", "brightness jump"):
        tp = fp = fn = 0
        seconds, count = 0.0, 0
        for seed in range(bursts):
            burst, boxes = camera_burst(seed, frames=frames, size=SIZE, still=condition == "still")
            if condition == "swaying":
                burst = _sway(burst, seed)
            elif condition == "brightness jump":
                burst = _jump(burst)
            start = time.perf_counter()
            detector = get_detector("motion", strips=find_strips(burst))
            found = detector.detect(burst)
            seconds += time.perf_counter() - start
            count += len(burst)
            for dets, box in zip(found, boxes, strict=True):
                truth = Detection(ANIMAL, 1.0, box)
                hits = [d for d in dets if d.iou(truth) >= 0.5]
                tp += 1 if hits else 0
                fn += 0 if hits else 1
                fp += len(dets) - min(1, len(hits))
        results[condition] = {
            "recall": tp / max(1, tp + fn),
            "precision": tp / max(1, tp + fp),
            "frames_per_s": count / seconds,
        }
    return results


def megadetector_speed(frames: int) -> dict[str, float]:
    try:
        import yolov5.models.yolo as yolo
    except ImportError:
        return {}
    burst, _ = camera_burst(0, frames=frames, size=(2048, 1440))
    speeds = {}
    for arch in ("yolov5x6", "yolov5n"):
        cfg = Path(yolo.__file__).parent / ("hub" if arch.endswith("6") else "") / f"{arch}.yaml"
        torch.manual_seed(0)
        model = yolo.Model(str(cfg), nc=3)
        model.names = {0: "animal", 1: "person", 2: "vehicle"}
        path = OUT / f"random-{arch}.pt"
        torch.save({"model": model}, path)
        detector = get_detector(
            "megadetector", weights=path, force_cpu=not torch.cuda.is_available()
        )
        detector.detect(burst[:1])  # warm-up
        start = time.perf_counter()
        detector.detect(burst)
        speeds[arch] = len(burst) / (time.perf_counter() - start)
        path.unlink()
    return speeds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bursts", type=int, default=40)
    parser.add_argument("--frames", type=int, default=5)
    parser.add_argument("--megadetector-frames", type=int, default=3)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    OUT.mkdir(parents=True, exist_ok=True)
    motion = motion_quality(args.bursts, args.frames)
    strips_burst, _ = camera_burst(0, frames=args.frames, size=SIZE)
    start = time.perf_counter()
    find_strips(strips_burst)
    strip_fps = len(strips_burst) / (time.perf_counter() - start)
    mega = megadetector_speed(args.megadetector_frames)
    device = "cuda" if torch.cuda.is_available() else f"cpu ({torch.get_num_threads()} threads)"
    print(f"{args.bursts} bursts of {args.frames} frames, {SIZE[0]}x{SIZE[1]}, {device}")
    print(f"{'motion, condition':<22}{'recall':>8}{'precision':>11}{'frames/s':>10}")
    for condition, row in motion.items():
        print(
            f"{condition:<22}{row['recall']:8.2f}{row['precision']:11.2f}{row['frames_per_s']:10.1f}"
        )
    print(f"data strips: {strip_fps:.1f} frames/s")
    for arch, fps in mega.items():
        print(f"megadetector ({arch}, random weights, 2048x1440 -> 1280): {fps:.2f} frames/s")
    result = {
        "device": device,
        "bursts": args.bursts,
        "frames_per_burst": args.frames,
        "frame_size": SIZE,
        "motion": motion,
        "strips_frames_per_s": strip_fps,
        "megadetector_frames_per_s": mega,
    }
    (OUT / "detection.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
