"""MegaDetector batch-output JSON onto a batch: uploaded with it, onto it later, or by
`manage.py import_detections`.

The file's entries are matched to the batch's images by relative path, then by base name
(worker.pipeline.detection.mdjson.match_files). A file that is not MegaDetector output is
refused as a whole and changes nothing; entries that match no image and unknown categories
are reported on the batch page. Matched frames get the file's detections (the rules of
services.detections: sightings per animal, blank frames, persons and vehicles), and their new
sightings are matched.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from worker.pipeline.detection import mdjson
from worker.pipeline.detection.mdjson import DetectionFileError

from ..models import Batch, Media
from . import detections, reid_hooks, tracks

# The largest detection file accepted: MegaDetector writes ~200 bytes per image.
MAX_BYTES = 50 * 1024 * 1024
SHOWN_PROBLEMS = 50

__all__ = ["DetectionFileError", "ImportReport", "attach", "import_file"]


@dataclass
class ImportReport:
    file_name: str
    matched: int = 0
    blank: int = 0
    sightings: int = 0
    persons: int = 0
    vehicles: int = 0
    unmatched: list[str] = field(default_factory=list)
    unmatched_count: int = 0
    not_in_file: int = 0
    problems: list[str] = field(default_factory=list)
    failures: dict[str, str] = field(default_factory=dict)
    detector: str = ""
    imported_at: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def read(raw: bytes) -> mdjson.DetectionFile:
    """Parse, or DetectionFileError saying why the file is refused."""
    if len(raw) > MAX_BYTES:
        raise DetectionFileError(f"the file is over {MAX_BYTES // 1024 // 1024} MB")
    return mdjson.parse(raw)


def import_file(batch: Batch, raw: bytes, file_name: str) -> ImportReport:
    """Apply a detection file to the batch's images; DetectionFileError changes nothing."""
    parsed = read(raw)
    media = {m.original_name: m for m in Media.objects.filter(batch=batch).order_by("pk")}
    matched, unmatched = mdjson.match_files(parsed.images.keys(), media.keys())
    detector = f"import: {file_name}" + (f" ({parsed.detector})" if parsed.detector else "")
    report = ImportReport(
        file_name=file_name,
        detector=parsed.detector,
        unmatched=unmatched[:SHOWN_PROBLEMS],
        unmatched_count=len(unmatched),
        problems=parsed.problems[:SHOWN_PROBLEMS],
        failures=dict(list(parsed.failures.items())[:SHOWN_PROBLEMS]),
        imported_at=timezone.now().isoformat(timespec="seconds"),
    )
    done: set[str] = set()
    with transaction.atomic():
        for entry, name in matched.items():
            if name in done:
                continue  # two entries for one image: the first counts
            done.add(name)
            if entry in parsed.failures:
                detections.mark_failed(
                    media[name].pk, f"The detector failed: {parsed.failures[entry]}"
                )
                continue
            outcome = detections.apply_detections(media[name].pk, parsed.images[entry], detector)
            report.matched += 1
            report.blank += outcome.blank
            report.sightings += len(outcome.sightings)
            report.persons += outcome.persons
            report.vehicles += outcome.vehicles
        report.not_in_file = len(media) - len(done)
        Batch.objects.filter(pk=batch.pk).update(detections_report=report.as_dict())
        batch.detections_report = report.as_dict()
        tracks.link_batch(batch)
        reid_hooks.boxes_changed(batch.pk)
    return report


def attach(batch: Batch, raw: bytes, file_name: str) -> ImportReport | None:
    """Keep the file with the batch. Checked now (a bad file is refused with its reason);
    applied now when the batch's images are stored, else by the detection stage after ingest.
    """
    read(raw)
    batch.detections_file.save(file_name[-100:] or "detections.json", ContentFile(raw), save=False)
    Batch.objects.filter(pk=batch.pk).update(
        detections_file=batch.detections_file.name, detections_report={}
    )
    batch.detections_report = {}
    if batch.is_finished:
        return import_file(batch, raw, file_name)
    return None


def apply_stored_file(batch: Batch) -> ImportReport | None:
    """The detection stage applies a file uploaded with the batch once its images are in."""
    try:
        with batch.detections_file.open("rb") as handle:
            raw = handle.read()
        name = (batch.detections_file.name or "").rsplit("/", 1)[-1]  # open() needed one
        return import_file(batch, raw, name)
    except (OSError, DetectionFileError) as exc:
        Batch.objects.filter(pk=batch.pk).update(detections_report={"error": str(exc)})
        batch.detections_report = {"error": str(exc)}
        return None
