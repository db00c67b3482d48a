"""Create or update a project's deployments from a Camtrap DP deployments.csv."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from identification.services.imports.deployments import DeploymentsRejected, import_deployments

from ._exports import project_by_slug
from ._imports import nothing_imported


class Command(BaseCommand):
    help = (
        "Import deployments from a CSV with Camtrap DP column names (docs/exports.md, "
        "Imports). All or nothing: any bad line and nothing is written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="The project's slug (its URL name).")
        parser.add_argument("file", help="The CSV file (UTF-8).")
        parser.add_argument(
            "--create-only",
            action="store_true",
            help="Refuse deploymentIDs the project has already instead of updating them.",
        )

    def handle(self, *args: Any, slug: str, file: str, create_only: bool, **options: Any) -> None:
        project = project_by_slug(slug)
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No file {path}.")
        try:
            with path.open("rb") as handle:
                result = import_deployments(project, handle, update_existing=not create_only)
        except DeploymentsRejected as rejected:
            raise nothing_imported(str(path.name), rejected.errors) from None
        self.stdout.write(
            f"{len(result.created)} deployment(s) created, {len(result.updated)} updated."
        )
        if result.ignored_columns:
            self.stdout.write(f"Columns not kept: {', '.join(result.ignored_columns)}.")
