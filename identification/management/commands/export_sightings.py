"""Write a project's sightings CSV, the same file as the exports page's download."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import QueryDict

from identification.forms.exports import SightingFilterForm, form_errors
from identification.services.exports.filters import STATUSES, filtered_sightings
from identification.services.exports.sightings_csv import stream_sightings_csv

from ._exports import project_by_slug, write


class Command(BaseCommand):
    help = "Export a project's sightings as CSV (columns: docs/exports.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="The project's slug (its URL name).")
        parser.add_argument("--out", required=True, help="File to write; - for stdout.")
        parser.add_argument("--batch", help="Only this batch (its number).")
        parser.add_argument("--deployment", help="Only this deployment (its code or id).")
        parser.add_argument("--from", dest="date_from", help="First day, YYYY-MM-DD.")
        parser.add_argument("--to", dest="date_to", help="Last day, YYYY-MM-DD.")
        parser.add_argument(
            "--status",
            action="append",
            choices=list(STATUSES),
            help="Only sightings with this status; repeat for several (default: all).",
        )
        parser.add_argument(
            "--base-url",
            default="",
            help="The site's address, e.g. https://reid.example.org, to make media_url "
            "absolute (default: the path from the site root).",
        )

    def handle(self, *args: Any, slug: str, out: str, base_url: str, **options: Any) -> None:
        project = project_by_slug(slug)
        data = QueryDict(mutable=True)
        for name in ("batch", "deployment", "date_from", "date_to"):
            if options.get(name):
                data[name] = options[name]
        data.setlist("status", options.get("status") or [])
        form = SightingFilterForm(data, project=project)
        if not form.is_valid():
            raise CommandError(form_errors(form))
        sightings = filtered_sightings(project, form.filters())
        size = write(out, stream_sightings_csv(project, sightings, base_url=base_url))
        if out != "-":
            self.stderr.write(f"Wrote {size:,} bytes to {out}.")
