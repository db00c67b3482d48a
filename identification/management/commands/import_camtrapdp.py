"""Import a Camtrap DP package (folder or zip) into a project."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from identification.services.imports.camtrapdp import PackageRejected, import_camtrapdp

from ._exports import project_by_slug
from ._imports import nothing_imported, user_or_none


class Command(BaseCommand):
    help = (
        "Import a Camtrap DP package: deployments, the images it contains, events and "
        "observations (docs/exports.md, Imports). Nothing is written if a row is malformed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="The project's slug (its URL name).")
        parser.add_argument("package", help="A folder with datapackage.json, or a zip of one.")
        parser.add_argument("--user", help="Record the import's decisions as this user.")

    def handle(
        self, *args: Any, slug: str, package: str, user: str | None = None, **options: Any
    ) -> None:
        project = project_by_slug(slug)
        by = user_or_none(user)
        try:
            result = import_camtrapdp(project, package, by=by)
        except PackageRejected as rejected:
            raise nothing_imported(str(package), rejected.errors) from None
        self.stdout.write(
            f"Deployments: {result.deployments_created} created, "
            f"{result.deployments_updated} updated. Images: {result.media_stored} stored, "
            f"{result.media_existing} already there, {result.media_not_in_package} not in the "
            f"package. Events: {result.events}. Sightings: {result.confirmed} confirmed, "
            f"{result.pending} pending, {result.discarded} discarded "
            f"({result.individuals_created} new individuals)."
        )
        for problem in result.problems:
            self.stderr.write(problem)
