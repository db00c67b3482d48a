"""Apply a MegaDetector batch-output JSON (MegaDetector, AddaxAI/EcoAssist, Timelapse) to a
batch: `manage.py import_detections <project-slug> <batch-id> FILE.json`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from identification.models import Batch
from identification.services import detection_import

from ._exports import project_by_slug


class Command(BaseCommand):
    help = "Apply MegaDetector batch output (JSON) to a batch's images (docs/detection.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="The project's slug.")
        parser.add_argument("batch", type=int, help="The batch's number.")
        parser.add_argument("file", help="The MegaDetector output file (.json).")

    def handle(self, *args: Any, slug: str, batch: int, file: str, **options: Any) -> None:
        project = project_by_slug(slug)
        target = Batch.objects.filter(project=project, pk=batch).first()
        if target is None:
            raise CommandError(f"Project {slug!r} has no batch {batch}.")
        path = Path(file)
        try:
            raw = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror or error}") from None
        try:
            report = detection_import.import_file(target, raw, path.name)
        except detection_import.DetectionFileError as error:
            raise CommandError(f"{path.name} was not applied, nothing changed: {error}") from None
        self.stdout.write(
            f"{report.matched} image(s) matched: {report.sightings} animal sighting(s), "
            f"{report.blank} blank, {report.persons} person(s), {report.vehicles} vehicle(s)."
        )
        if report.not_in_file:
            self.stdout.write(f"{report.not_in_file} image(s) of the batch are not in the file.")
        if report.unmatched_count:
            shown = ", ".join(report.unmatched[:10])
            more = report.unmatched_count - min(10, len(report.unmatched))
            self.stdout.write(
                f"{report.unmatched_count} entr(ies) match no image of the batch: {shown}"
                + (f" and {more} more" if more > 0 else "")
            )
        for problem in report.problems:
            self.stdout.write(f"Skipped: {problem}")
