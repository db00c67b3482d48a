"""Importing deployments from a Camtrap DP deployments.csv (issue 5)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render

from ..forms.imports import DeploymentsCsvForm
from ..models import Role
from ..services.imports.deployments import DeploymentsRejected, import_deployments
from .access import AuthenticatedRequest, get_project_for_user, has_role


@login_required
def deployment_import(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    # Roles are cumulative: whoever may add a deployment by hand may import a sheet of them;
    # changing existing stations stays with project admins, as on the edit page.
    project = get_project_for_user(request, slug, Role.RANGER)
    form = DeploymentsCsvForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        update = has_role(project, Role.ADMIN)
        try:
            result = import_deployments(project, form.cleaned_data["file"], update_existing=update)
        except DeploymentsRejected as rejected:
            problems = rejected.errors
        else:
            messages.success(
                request,
                f"{len(result.created)} deployment(s) created, {len(result.updated)} updated.",
            )
            if result.ignored_columns:
                ignored = ", ".join(result.ignored_columns)
                messages.info(request, f"Columns not kept by the app: {ignored}.")
            return redirect("deployment_list", slug)
    context = {
        "project": project,
        "form": form,
        "problems": problems,
        "may_update": has_role(project, Role.ADMIN),
    }
    return render(request, "imports/deployments.html", context, status=400 if problems else 200)
