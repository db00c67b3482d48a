"""Write a project's capture history zip (secr or MARK), the same as the exports page's."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from identification.forms.exports import HistoryForm, form_errors
from identification.services.exports import capture_history as ch

from ._exports import project_by_slug, write


class Command(BaseCommand):
    help = "Export a capture history for capture-recapture (formats: docs/exports.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="The project's slug (its URL name).")
        parser.add_argument("--out", required=True, help="Zip file to write; - for stdout.")
        parser.add_argument(
            "--start", help="First day, YYYY-MM-DD (default: the first deployment or image)."
        )
        parser.add_argument(
            "--end", help="Last day, YYYY-MM-DD (default: the last deployment or image)."
        )
        parser.add_argument("--days", default="1", help="Occasion length in days (default 1).")
        parser.add_argument("--format", default="secr", choices=list(ch.FORMATS))
        parser.add_argument("--detector", default="proximity", choices=list(ch.DETECTORS))
        parser.add_argument("--usage", default="binary", choices=list(ch.USAGES))

    def handle(self, *args: Any, slug: str, out: str, **options: Any) -> None:
        project = project_by_slug(slug)
        span = ch.survey_span(project)
        data = {
            "start": options.get("start") or span.get("start"),
            "end": options.get("end") or span.get("end"),
            **{k: options[k] for k in ("days", "format", "detector", "usage")},
        }
        form = HistoryForm(data)
        if not form.is_valid():
            raise CommandError(form_errors(form))
        size = write(out, [ch.history_zip(project, form.options())])
        if out != "-":
            self.stderr.write(f"Wrote {size:,} bytes to {out}.")
