"""`manage.py import_catalogue <slug> PATH`: a labelled catalogue becomes confirmed sightings."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from identification.models import Project
from identification.services.imports.catalogue import CatalogueInvalid, import_catalogue


class Command(BaseCommand):
    help = (
        "Import a labelled catalogue (a folder or .zip with one folder per individual, or a "
        "wildlife-datasets folder with metadata.csv) as confirmed sightings. All or nothing: "
        "with any problem, the problems are listed by line and nothing is imported."
    )

    def add_arguments(self, parser):
        parser.add_argument("project", help="The project's slug.")
        parser.add_argument("path", help="A folder or a .zip file.")
        parser.add_argument("--split", help="With metadata.csv: import only this split.")
        parser.add_argument("--user", help="The username the decisions are recorded for.")

    def handle(self, *args, project, path, split=None, user=None, **options):
        target = Project.objects.filter(slug=project).first()
        if target is None:
            raise CommandError(f"No project with the slug {project!r}.")
        by = None
        if user:
            by = get_user_model().objects.filter(username=user).first()
            if by is None:
                raise CommandError(f"No user {user!r}.")
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
