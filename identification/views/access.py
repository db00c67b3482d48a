"""The one guard every project URL goes through, and the request types of the views."""

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django_htmx.middleware import HtmxDetails

from ..models import Membership, Project, Role
from ..models.projects import role_at_least


class HtmxRequest(HttpRequest):
    """Every request once django-htmx's HtmxMiddleware has run (for type checking only)."""

    htmx: HtmxDetails


class AuthenticatedRequest(HtmxRequest):
    """What a view behind `login_required` receives: a signed-in user, never AnonymousUser."""

    user: User


def get_project_for_user(
    request: HttpRequest, slug: str, minimum_role: str = Role.RANGER
) -> Project:
    """The project if the user is a member with at least `minimum_role`.

    Non-members get 404, not 403, so other projects' names and ids do not leak. A member whose
    role is too low gets 403 with a message naming the role needed. The member's role is left
    on `project.user_role` for templates.
    """
    if not request.user.is_authenticated:
        raise Http404("No such project")
    membership = (
        Membership.objects.select_related("project")
        .filter(project__slug=slug, user=request.user)
        .first()
    )
    if membership is None:
        raise Http404("No such project")
    if not role_at_least(membership.role, minimum_role):
        raise PermissionDenied(f"This needs the {Role(minimum_role).label.lower()} role.")
    project = membership.project
    project.user_role = membership.role
    return project


def has_role(project: Project, minimum_role: str) -> bool:
    """Whether the member that `get_project_for_user` let in holds at least `minimum_role`."""
    return role_at_least(project.user_role, minimum_role)
