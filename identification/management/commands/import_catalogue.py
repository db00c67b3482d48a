"""`manage.py import_catalogue <slug> PATH`: a labelled catalogue becomes confirmed sightings."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from identification.services.imports.catalogue import CatalogueInvalid, import_catalogue

from ._exports import project_by_slug
from ._imports import user_or_none


class Command(BaseCommand):
    help = (
        "Import a labelled catalogue (a folder or .zip with one folder per individual, or a "
        "wildlife-datasets folder with metadata.csv) as confirmed sightings. All or nothing: "
        "with any problem, the problems are listed by line and nothing is imported."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("project", help="The project's slug.")
        parser.add_argument("path", help="A folder or a .zip file.")
        parser.add_argument("--split", help="With metadata.csv: import only this split.")
        parser.add_argument("--user", help="The username the decisions are recorded for.")

    def handle(
        self,
        *args: Any,
        project: str,
        path: str,
        split: str | None = None,
        user: str | None = None,
        **options: Any,
    ) -> None:
        target = project_by_slug(project)
        by = user_or_none(user)
        try:
            result = import_catalogue(target, path, user=by, split=split, original_name=path)
        except CatalogueInvalid as exc:
            for number, problem in enumerate(exc.problems, start=1):
                self.stderr.write(f"{number}. {problem}")
            raise CommandError(
                f"{len(exc.problems)} problem(s) in {path}; nothing was imported."
            ) from exc
        self.stdout.write(
            self.style.SUCCESS(f"Imported into {target.slug} (batch #{result.batch.pk}): ")
            + result.summary()
        )
