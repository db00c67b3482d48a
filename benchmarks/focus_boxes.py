"""How well a whole frame's focus (worker/pipeline/detection/scene.focus_box) holds its animal,
scored against the true boxes of a frames set built by benchmarks/frames_dataset.py.

    .venv/bin/python benchmarks/focus_boxes.py --data benchmarks/out/lion-frames \\
        [--out benchmarks/out/focus_boxes_lion.json]

Each camera's strips and scene are found exactly as `evaluate --detector none` finds them
(detection.frames.cameras_of); then, for every frame, the focus is compared with the box the
animal was pasted in. Prints a table and writes JSON: frames with a focus, the share of the
true box inside the focus (coverage), IoU, and the focus's share of the frame.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path
from typing import Any

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from worker.pipeline.data import load_dataset  # noqa: E402
from worker.pipeline.detection.frames import cameras_of  # noqa: E402
from worker.pipeline.detection.scene import focus_box  # noqa: E402

Box = tuple[float, float, float, float]  # left, top, right, bottom


def _area(box: Box) -> float:
    return max(0.0, box[2] - box[0]) * max(0.0, box[3] - box[1])


def _inter(a: Box, b: Box) -> float:
    return _area((max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])))


def score(focus: Box | None, truth: Box, frame_area: float) -> dict[str, float]:
    """Coverage of the true box, IoU and the focus's share of the frame (a whole frame seen
    when there is no focus)."""
    if focus is None:
        return {"coverage": 1.0, "iou": _area(truth) / frame_area, "share": 1.0}
    inter = _inter(focus, truth)
    union = _area(focus) + _area(truth) - inter
    return {
        "coverage": inter / _area(truth),
        "iou": inter / union,
        "share": _area(focus) / frame_area,
    }


def _quantiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    q = statistics.quantiles(values, n=4) if len(values) > 1 else [values[0]] * 3
    return {"p25": round(q[0], 3), "median": round(q[1], 3), "p75": round(q[2], 3)}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", type=Path, required=True)
    p.add_argument("--out", type=Path, default=None)
    args = p.parse_args(argv)
    records = [r for r in load_dataset(args.data) if r.bbox is not None and r.camera]
    _, scenes = cameras_of(records)
    rows = []
    for record in records:
        assert record.bbox is not None
        with Image.open(record.path) as image:
            frame = image.convert("RGB")
        x, y, w, h = record.bbox
        scene = scenes.get(record.camera)
        changed = scene.changed(frame) if scene else None
        focus = focus_box(changed, frame.size) if scene else None
        area = frame.width * frame.height
        truth = (x, y, x + w, y + h)
        rows.append({"focus": focus is not None, "truth_share": _area(truth) / area,
                     **score(focus, truth, area)})  # fmt: skip
    focused = [r for r in rows if r["focus"]]
    result: dict[str, Any] = {
        "data": str(args.data),
        "frames": len(rows),
        "cameras_with_scene": len(scenes),
        "frames_with_focus": len(focused),
        "coverage": _quantiles([r["coverage"] for r in focused]),
        "coverage_at_least_0.9": sum(r["coverage"] >= 0.9 for r in focused),
        "coverage_below_0.5": sum(r["coverage"] < 0.5 for r in focused),
        "iou": _quantiles([r["iou"] for r in focused]),
        "share_of_frame": _quantiles([r["share"] for r in focused]),
        "true_box_share_of_frame": _quantiles([r["truth_share"] for r in rows]),
    }
    print(f"{'frames':<28}{result['frames']}")
    print(f"{'cameras with a scene':<28}{result['cameras_with_scene']}")
    print(f"{'frames with a focus':<28}{result['frames_with_focus']}")
    for name in ("coverage", "iou", "share_of_frame", "true_box_share_of_frame"):
        q = result[name]
        print(f"{name:<28}" + "  ".join(f"{k} {v:.3f}" for k, v in q.items()))
    print(f"{'coverage >= 0.9':<28}{result['coverage_at_least_0.9']}")
    print(f"{'coverage < 0.5':<28}{result['coverage_below_0.5']}")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
