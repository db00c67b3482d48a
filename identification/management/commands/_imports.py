"""What the import commands share: refusing a whole file with every problem listed."""

from __future__ import annotations

from django.core.management.base import CommandError


def nothing_imported(name: str, errors: list[str]) -> CommandError:
    listed = "\n".join(errors)
    return CommandError(f"{name}: nothing imported; {len(errors)} problem(s):\n{listed}")
