from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from ..forms.projects import MemberForm, ProjectForm, ProjectSettingsForm
from ..models import Membership, Project, Role, Sighting
from ..services.permissions import may_create_projects
from .access import AuthenticatedRequest, get_project_for_user, has_role


@login_required
def project_list(request: AuthenticatedRequest) -> HttpResponse:
    projects = (
        Project.objects.for_user(request.user)
        .annotate(
            n_sightings=Count("sightings", distinct=True),
            n_individuals=Count("individuals", distinct=True),
        )
        .order_by("name")
    )
    context = {"projects": projects, "can_create": may_create_projects(request.user)}
    return render(request, "identification/project_list.html", context)


@login_required
def project_create(request: AuthenticatedRequest) -> HttpResponse:
    if not may_create_projects(request.user):
        raise PermissionDenied("Only staff users may create projects on this site.")
    form = ProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            project = form.save()
            Membership.objects.create(project=project, user=request.user, role=Role.ADMIN)
        messages.success(request, f"Project “{project.name}” created. You are its admin.")
        return redirect(project)
    return render(request, "identification/project_form.html", {"form": form})


@login_required
def project_detail(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    project = get_project_for_user(request, slug)
    S = Sighting.Status
    stats = project.sightings.aggregate(
        sightings=Count("pk"),
        pending=Count("pk", filter=Q(status=S.PENDING)),
        confirmed=Count("pk", filter=Q(status=S.CONFIRMED)),
    )
    stats["media"] = project.media.count()
    stats["individuals"] = project.individuals.filter(merged_into__isnull=True).count()
    context = {
        "project": project,
        "stats": stats,
        "batches": project.batches.select_related("deployment", "created_by")[:5],
        "deployments": project.deployments.all()[:10],
    }
    return render(request, "identification/project_detail.html", context)


@login_required
def member_list(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    project = get_project_for_user(request, slug)
    is_admin = has_role(project, Role.ADMIN)
    form = MemberForm(request.POST or None, project=project)
    if request.method == "POST":
        project = get_project_for_user(request, slug, Role.ADMIN)
        if form.is_valid():
            membership = form.save()
            messages.success(request, f"{membership.user} is now {membership.get_role_display()}.")
            return redirect("member_list", slug)
    members = project.memberships.select_related("user").order_by("user__username")
    return render(
        request,
        "identification/member_list.html",
        {"project": project, "members": members, "form": form, "is_admin": is_admin},
    )


@login_required
@require_POST
def member_remove(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    project = get_project_for_user(request, slug, Role.ADMIN)
    membership = get_object_or_404(Membership, project=project, pk=pk)
    if (
        membership.role == Role.ADMIN
        and not project.memberships.filter(role=Role.ADMIN).exclude(pk=pk).exists()
    ):
        messages.error(request, "A project needs at least one admin.")
    else:
        membership.delete()
        messages.success(request, f"{membership.user} removed from the project.")
    return redirect("member_list", slug)


@login_required
def project_settings(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    project = get_project_for_user(request, slug, Role.ADMIN)
    form = ProjectSettingsForm(request.POST or None, instance=project)
    if request.method == "POST" and form.is_valid():
        form.save()
        text = "Settings saved."
        if form.threshold_pinned:
            text += " Automatic threshold tuning is now off, so the threshold stays as you set it."
        messages.success(request, text)
        return redirect("project_settings", slug)
    context = {"project": project, "form": form}
    return render(request, "identification/project_settings.html", context)
