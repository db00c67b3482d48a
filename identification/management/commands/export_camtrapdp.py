"""Write a project's Camtrap DP 1.0.2 package (zip), with the sightings CSV's filters."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.http import QueryDict

from identification.forms.exports import SightingFilterForm, form_errors
from identification.services.exports.camtrapdp import stream_camtrapdp
from identification.services.exports.filters import filtered_sightings
from identification.services.exports.frame_observations import filtered_frames

from ._exports import project_by_slug, write
from .export_sightings import Command as SightingsCommand

FILTERS = ("batch", "deployment", "date_from", "date_to")


class Command(SightingsCommand):
    help = "Export a project's sightings as a Camtrap DP 1.0.2 data package (docs/exports.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        # The same filters and --base-url as export_sightings, so both describe the same rows.
        super().add_arguments(parser)
        parser.add_argument(
            "--with-media", action="store_true", help="Put the image files in the zip too."
        )

    def handle(
        self,
        *args: Any,
        slug: str,
        out: str,
        base_url: str,
        with_media: bool = False,
        **options: Any,
    ) -> None:
        project = project_by_slug(slug)
        data = QueryDict(mutable=True)
        data.update({k: options[k] for k in FILTERS if options.get(k)})
        data.setlist("status", options.get("status") or [])
        form = SightingFilterForm(data, project=project)
        if not form.is_valid():
            raise CommandError(form_errors(form))
        chunks = stream_camtrapdp(
            project,
            filtered_sightings(project, form.filters()),
            frames=filtered_frames(project, form.filters()),
            base_url=base_url,
            include_media=with_media,
        )
        size = write(out, chunks)
        if out != "-":
            self.stderr.write(f"Wrote {size:,} bytes to {out}.")
