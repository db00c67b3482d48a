"""What the export commands share: the project by slug, and writing to a file or stdout."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

from django.core.management.base import CommandError

from identification.models import Project


def project_by_slug(slug: str) -> Project:
    project = Project.objects.filter(slug=slug).first()
    if project is None:
        raise CommandError(f"No project with slug {slug!r}.")
    return project


def write(out: str, chunks: Iterable[bytes]) -> int:
    """Write the chunks to `out` ("-" is stdout); returns the number of bytes written."""
    size = 0
    if out == "-":
        for chunk in chunks:
            sys.stdout.buffer.write(chunk)
            size += len(chunk)
        sys.stdout.buffer.flush()
        return size
    path = Path(out)
    if path.parent and not path.parent.exists():
        raise CommandError(f"No folder {path.parent} to write {path.name} into.")
    # Written beside the target and renamed, so a failed export never leaves half a file.
    partial = path.with_name(path.name + ".partial")
    try:
        with partial.open("wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
                size += len(chunk)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return size
