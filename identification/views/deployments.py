from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Max, Min
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from ..forms.deployments import DeploymentForm
from ..models import Deployment, Role
from .access import AuthenticatedRequest, get_project_for_user


@login_required
def deployment_list(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    project = get_project_for_user(request, slug)
    deployments = project.deployments.annotate(
        n_media=Count("media", distinct=True),
        first_image=Min("media__taken_at"),
        last_image=Max("media__taken_at"),
    )
    context = {"project": project, "deployments": deployments}
    return render(request, "identification/deployment_list.html", context)


@login_required
def deployment_create(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    # Rangers set up camera stations in the field, so they may add them too.
    project = get_project_for_user(request, slug, Role.RANGER)
    form = DeploymentForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        deployment = form.save()
        messages.success(request, f"Deployment {deployment.code} created.")
        next_url = request.GET.get("next")
        if next_url and url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
            return redirect(next_url)
        return redirect("deployment_list", slug)
    context = {"project": project, "form": form, "creating": True}
    return render(request, "identification/deployment_form.html", context)


@login_required
def deployment_edit(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    project = get_project_for_user(request, slug, Role.ADMIN)
    deployment = get_object_or_404(Deployment, project=project, pk=pk)
    form = DeploymentForm(request.POST or None, instance=deployment, project=project)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"Deployment {deployment.code} saved.")
        return redirect("deployment_list", slug)
    context = {"project": project, "form": form, "deployment": deployment}
    return render(request, "identification/deployment_form.html", context)
