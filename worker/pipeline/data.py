"""Labelled image folders: wildlife-datasets style (`metadata.csv` with image_id, identity,
path, split, and optionally bbox and a camera column) or a plain tree of one folder per
individual.

`bbox` follows the wildlife-datasets convention: `[x, y, w, h]` in pixels of the image; the
record's image is then that crop. A camera column (`camera`, `station`, `deployment`,
`locationID` or `location`) groups frames of one camera, for finding its data strips and
its static scene. An event column (`event`, `eventID`, `sequence`, `encounter`…) names the
burst each image was taken in; calibration pseudo-queries leave their event out.
"""

from __future__ import annotations

import ast
import csv
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from worker.pipeline.detection.scene import Scene, focused

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp"}


@dataclass(frozen=True)
class Record:
    image_id: str
    identity: str
    path: Path
    split: str  # "train" (gallery) or "test" (query); "" when the source has no split
    bbox: tuple[float, float, float, float] | None = None  # [x, y, w, h] pixels; None: whole
    camera: str = ""
    # The burst/encounter the image was taken in: calibration pseudo-queries leave it out.
    event: str = ""
    # The camera's static scene: the matcher sees the frame's focus, and keypoints on the
    # scene are dropped (whole-frame records only).
    scene: Scene | None = field(default=None, compare=False, repr=False)

    def open(self) -> Image.Image:
        """The image, cropped to `bbox` when there is one (clipped to the image)."""
        with Image.open(self.path) as opened:
            image = opened.convert("RGB")
        if self.bbox is None:
            return image
        x, y, w, h = self.bbox
        box = (
            max(0, round(x)),
            max(0, round(y)),
            min(image.width, round(x + w)),
            min(image.height, round(y + h)),
        )
        if box[2] <= box[0] or box[3] <= box[1]:
            return image  # a box outside the image: the whole frame rather than nothing
        return image.crop(box)

    @property
    def view_key(self) -> str:
        """What this record's image is (file and crop), for feature caches."""
        crop = "" if self.bbox is None else ":" + ",".join(f"{v:.1f}" for v in self.bbox)
        scene = "" if self.scene is None else ":scene-focus"
        return f"{self.path.resolve()}{crop}{scene}"

    @property
    def offset(self) -> tuple[int, int]:
        """Where open()'s crop starts in the full image."""
        if self.bbox is None:
            return (0, 0)
        return (max(0, round(self.bbox[0])), max(0, round(self.bbox[1])))

    def open_full(self) -> Image.Image:
        with Image.open(self.path) as opened:
            return opened.convert("RGB")

    def open_global(self) -> Image.Image:
        """What the global descriptor sees: open()'s image, or a whole frame's focus."""
        image = self.open()
        if self.scene is None:
            return image
        changed = self.scene.changed(self.open_full())
        return focused(image, self.offset, changed, self.scene.frame_size)


CAMERA_COLUMNS = ("camera", "station", "deployment", "locationID", "location")
EVENT_COLUMNS = ("event", "eventID", "event_id", "sequence", "sequenceID", "encounter")


def parse_bbox(text: str | None) -> tuple[float, float, float, float] | None:
    """`[x, y, w, h]` as written in metadata.csv (JSON or Python list); None when empty."""
    if text is None or not str(text).strip():
        return None
    try:
        values = [float(v) for v in ast.literal_eval(str(text).strip())]
    except (ValueError, SyntaxError, TypeError):
        raise ValueError(f"bbox {text!r} is not [x, y, w, h]") from None
    if len(values) != 4 or values[2] <= 0 or values[3] <= 0:
        raise ValueError(f"bbox {text!r} is not [x, y, w, h] with a positive size")
    return (values[0], values[1], values[2], values[3])


def load_metadata(root: str | Path) -> list[Record]:
    """Records from `root/metadata.csv`; paths in it are relative to `root`."""
    root = Path(root)
    with open(root / "metadata.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    missing = {"identity", "path"} - set(rows[0] if rows else {})
    if missing:
        raise ValueError(f"metadata.csv lacks columns {sorted(missing)}")
    camera_column = next((c for c in CAMERA_COLUMNS if rows and c in rows[0]), None)
    event_column = next((c for c in EVENT_COLUMNS if rows and c in rows[0]), None)
    records = []
    for line, row in enumerate(rows, start=2):
        try:
            bbox = parse_bbox(row.get("bbox"))
        except ValueError as error:
            raise ValueError(f"metadata.csv line {line}: {error}") from None
        records.append(
            Record(
                image_id=str(row.get("image_id") or row["path"]),
                identity=str(row["identity"]),
                path=root / row["path"],
                split=str(row.get("split") or ""),
                bbox=bbox,
                camera=str(row.get(camera_column) or "") if camera_column else "",
                event=str(row.get(event_column) or "") if event_column else "",
            )
        )
    return records


def load_folders(root: str | Path) -> list[Record]:
    """Records from `root/<identity>/<image>`; no split."""
    root = Path(root)
    return [
        Record(str(path.relative_to(root)), path.parent.name, path, "")
        for path in sorted(root.glob("*/*"))
        if path.suffix.lower() in IMAGE_SUFFIXES
    ]


def load_dataset(root: str | Path) -> list[Record]:
    root = Path(root)
    return load_metadata(root) if (root / "metadata.csv").exists() else load_folders(root)
