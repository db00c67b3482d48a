"""Catalogues the catalogue-import tests write: folders per individual, wildlife-datasets
folders with a metadata.csv, and zips of either."""

from __future__ import annotations

import csv
import io
import os
import zipfile
from pathlib import Path

from identification.models import Batch, Decision, Individual, Media, Project, Sighting
from identification.services.synthetic import camera_trap_jpeg


def image(animal: int, view: int) -> bytes:
    """A small JPEG of synthetic animal `animal`; each (animal, view) has its own bytes."""
    return camera_trap_jpeg(animal, view, None, size=(160, 120))


def folder_catalogue(root: Path, animals: dict[str, list[int]]) -> Path:
    """`<code>/view<k>.jpg` for each code -> views of the synthetic animal of that number."""
    for number, (code, views) in enumerate(animals.items()):
        (root / code).mkdir(parents=True)
        for view in views:
            (root / code / f"view{view}.jpg").write_bytes(image(number, view))
    return root


def metadata_catalogue(root: Path, rows: list[dict], files: dict[str, bytes]) -> Path:
    """A wildlife-datasets folder: the given files and a metadata.csv of the given rows
    (columns: the union of the rows' keys, in order of first use)."""
    for path, data in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(data)
    columns: list[str] = []
    for row in rows:
        columns += [key for key in row if key not in columns]
    with (root / "metadata.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return root


def nyala_catalogue(root: Path) -> Path:
    """Three nyala in wildlife-datasets format: rows 2-5 train, rows 6-7 test; line numbers
    in metadata.csv are the row numbers here (the header is line 1)."""
    rows, files = [], {}
    for number, (identity, view, split) in enumerate(
        [
            ("N1", 0, "train"),
            ("N1", 1, "train"),
            ("N2", 0, "train"),
            ("N3", 0, "train"),
            ("N1", 2, "test"),
            ("N2", 1, "test"),
        ]  # fmt: skip
    ):
        path = f"images/{identity}/{view}.jpg"
        files[path] = image(int(identity[1]), view)
        rows.append({"image_id": number, "identity": identity, "path": path, "split": split})
    return metadata_catalogue(root, rows, files)


def zip_bytes(root: Path, wrap: str = "") -> bytes:
    """The folder as a zip; `wrap` puts everything below one folder of that name."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for folder, _, names in os.walk(root):
            for name in names:
                path = Path(folder, name)
                arcname = Path(wrap, path.relative_to(root)).as_posix()
                archive.write(path, arcname)
    return out.getvalue()


def project_state(project: Project, media_root: Path) -> dict:
    """Everything an import could change, to compare before and after."""
    files = sorted(str(p.relative_to(media_root)) for p in media_root.rglob("*") if p.is_file())
    return {
        "media": list(Media.objects.filter(project=project).values_list("pk", "sha256")),
        "individuals": list(Individual.objects.filter(project=project).values_list("code")),
        "sightings": list(
            Sighting.objects.filter(project=project).values_list("pk", "status", "individual")
        ),
        "decisions": Decision.objects.filter(project=project).count(),
        "batches": Batch.objects.filter(project=project).count(),
        "files": [f for f in files if f.startswith("projects/")],
    }
