"""What the import commands share: refusing a whole file with every problem listed."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.management.base import CommandError


def user_or_none(username: str | None) -> User | None:
    """The user named on the command line (who the import's decisions are recorded for)."""
    if not username:
        return None
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"No user {username!r}.")
    return user


def nothing_imported(name: str, errors: list[str]) -> CommandError:
    listed = "\n".join(errors)
    return CommandError(f"{name}: nothing imported; {len(errors)} problem(s):\n{listed}")
