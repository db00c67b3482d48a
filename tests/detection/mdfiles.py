"""MegaDetector batch-output files for tests."""

import json


def md_file(entries: dict[str, list[tuple[str, float, list[float]]]], **extra) -> bytes:
    """MegaDetector batch output: {file: [(category id, conf, [x, y, w, h]), ...]}."""
    images = [
        {
            "file": name,
            "detections": [
                {"category": category, "conf": conf, "bbox": bbox} for category, conf, bbox in found
            ],
        }
        for name, found in entries.items()
    ]
    data = {
        "info": {"detector": "md_v5a.0.0.pt", "format_version": "1.4"},
        "detection_categories": {"1": "animal", "2": "person", "3": "vehicle"},
        "images": images,
        **extra,
    }
    return json.dumps(data).encode()
