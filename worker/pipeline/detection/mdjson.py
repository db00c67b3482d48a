"""MegaDetector batch-output JSON: read, check, and match its entries to a batch's files.

The format is the one MegaDetector's batch runner writes (and AddaxAI/EcoAssist, Timelapse
read): `{"images": [{"file": "DCIM/IMG_0001.JPG", "detections": [{"category": "1", "conf":
0.93, "bbox": [x, y, w, h]}]}], "detection_categories": {"1": "animal", ...}}` with boxes
relative to the image. A file that is not in that shape is refused as a whole, saying where;
entries that match no file of the batch and unknown categories are reported, not fatal.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from worker.pipeline.detection.base import CATEGORIES, Detection


class DetectionFileError(ValueError):
    """The file is not MegaDetector output; the message says what is wrong and where."""


@dataclass
class DetectionFile:
    """Detections per image path, as the file names them, plus what could not be read."""

    images: dict[str, list[Detection]]
    detector: str = ""
    problems: list[str] = field(default_factory=list)
    # Images the detector could not process (MegaDetector writes "failure" for them).
    failures: dict[str, str] = field(default_factory=dict)


def _categories(data: Mapping[str, Any]) -> dict[str, str]:
    names = data.get("detection_categories") or {}
    if not isinstance(names, dict):
        raise DetectionFileError("detection_categories is not an object of id: name")
    known = {}
    for key, name in {**CATEGORIES, **names}.items():
        lowered = str(name).strip().lower()
        known[str(key)] = {"people": "person", "human": "person"}.get(lowered, lowered)
    return known


def parse(raw: bytes | str) -> DetectionFile:
    """Read a MegaDetector batch-output file; DetectionFileError if it is not one."""
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DetectionFileError(f"not JSON: {error}") from None
    if not isinstance(data, dict) or not isinstance(data.get("images"), list):
        raise DetectionFileError('not MegaDetector output: no "images" list at the top level')
    categories = _categories(data)
    info = data.get("info")
    if not isinstance(info, dict):
        info = {}
    result = DetectionFile(images={}, detector=str(info.get("detector", "")))
    for n, entry in enumerate(data["images"], start=1):
        where = f"images[{n}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("file"), str):
            raise DetectionFileError(f'{where}: no "file" name')
        name = entry["file"].replace("\\", "/").lstrip("./")
        if entry.get("failure"):
            result.failures[name] = str(entry["failure"])
            continue
        detections = entry.get("detections")
        if not isinstance(detections, list):
            raise DetectionFileError(f'{where} ({name}): "detections" is not a list')
        found = []
        for k, det in enumerate(detections, start=1):
            try:
                category = str(det["category"])
                conf, bbox = float(det["conf"]), [float(v) for v in det["bbox"]]
                if len(bbox) != 4:
                    raise ValueError("bbox needs four numbers")
                if not 0 <= conf <= 1:
                    raise ValueError(f"conf {conf} is not between 0 and 1")
                if category not in categories:
                    result.problems.append(f"{name}: detection {k} has unknown category {category}")
                    continue
                found.append(Detection.clipped(categories[category], conf, bbox))
            except (KeyError, TypeError, ValueError) as error:
                raise DetectionFileError(f"{where} ({name}), detection {k}: {error}") from None
        result.images[name] = found
    return result


def match_files(entries: Iterable[str], names: Iterable[str]) -> tuple[dict[str, str], list[str]]:
    """Map the file's entries to the batch's file names: the same relative path first, then
    the same base name when exactly one file of the batch has it. Returns (entry -> name,
    entries that matched nothing)."""
    names = list(names)
    by_path = {
        PurePosixPath(n.replace("\\", "/").lstrip("./")).as_posix().lower(): n for n in names
    }
    by_base: dict[str, list[str]] = {}
    for n in names:
        by_base.setdefault(PurePosixPath(n.replace("\\", "/")).name.lower(), []).append(n)
    matched, unmatched = {}, []
    for entry in entries:
        key = PurePosixPath(entry).as_posix().lower()
        if key in by_path:
            matched[entry] = by_path[key]
            continue
        # A path relative to another folder (the card's root, the detector's input folder):
        # the longest suffix of our names that the entry ends with, or the entry ours.
        suffix = [n for k, n in by_path.items() if key.endswith("/" + k) or k.endswith("/" + key)]
        if len(suffix) == 1:
            matched[entry] = suffix[0]
            continue
        same_base = by_base.get(PurePosixPath(key).name, [])
        if len(same_base) == 1:
            matched[entry] = same_base[0]
        else:
            unmatched.append(entry)
    return matched, unmatched
