"""Who may do what, for the services that the views, the commands and the workers share.

The views check roles with `views.access.get_project_for_user`; a service that writes
identity decisions checks again, because it is also reached from a management command or a
worker task long after the request that queued it (the role may have changed since).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User

from ..models import Membership, Project, Role
from ..models.projects import role_at_least


def may_decide(project: Project, user: User | None) -> bool:
    """Whether `user` may record identity decisions in `project`: the expert role or above.

    None is a script run by whoever holds the server (a command without --user): allowed.
    """
    if user is None:
        return True
    role = (
        Membership.objects.filter(project=project, user=user).values_list("role", flat=True).first()
    )
    return role is not None and role_at_least(role, Role.EXPERT)


def decider_refusal(project: Project, user: User | None, what: str) -> str | None:
    """The sentence refusing `what` to a user below expert, or None when they may decide."""
    if may_decide(project, user):
        return None
    return (
        f"{what} records identity decisions, which need the expert role in this project; "
        f"{user} does not have it."
    )


def may_create_projects(user: User | AnonymousUser) -> bool:
    """REIDSITE_PROJECT_CREATORS: "staff" lets only Django staff create projects, "any" every
    signed-in user (each creator becomes the new project's admin)."""
    if not user.is_authenticated:
        return False
    return settings.REIDSITE_PROJECT_CREATORS == "any" or user.is_staff
