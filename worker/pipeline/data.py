"""Labelled image folders: wildlife-datasets style (`metadata.csv` with image_id, identity,
path, split) or a plain tree of one folder per individual."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp"}


@dataclass(frozen=True)
class Record:
    image_id: str
    identity: str
    path: Path
    split: str  # "train" (gallery) or "test" (query); "" when the source has no split

    def open(self) -> Image.Image:
        with Image.open(self.path) as image:
            return image.convert("RGB")


def load_metadata(root: str | Path) -> list[Record]:
    """Records from `root/metadata.csv`; paths in it are relative to `root`."""
    root = Path(root)
    with open(root / "metadata.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    missing = {"identity", "path"} - set(rows[0] if rows else {})
    if missing:
        raise ValueError(f"metadata.csv lacks columns {sorted(missing)}")
    return [
        Record(
            image_id=str(row.get("image_id") or row["path"]),
            identity=str(row["identity"]),
            path=root / row["path"],
            split=str(row.get("split") or ""),
        )
        for row in rows
    ]


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
