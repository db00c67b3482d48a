"""Catalogue import page: upload a zip of labelled images, see its problems or its outcome."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from ..forms.catalogue_import import CatalogueImportForm
from ..models import Batch, Project, Role
from ..services.imports.catalogue import CatalogueInvalid, import_catalogue, queue_import
from .access import AuthenticatedRequest, get_project_for_user

# Up to this size the import runs in the request and its problems show on the form at once;
# a bigger zip would outlast the request, so a cpu worker imports it.
INLINE_MAX_BYTES = 10 * 1024 * 1024
RECENT = 10


@login_required
def catalogue_import(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    # A catalogue import confirms identities: an expert's decision, as on the review screen.
    project = get_project_for_user(request, slug, Role.EXPERT)
    if request.method == "POST" and _content_length(request) > settings.REIDSITE_MAX_UPLOAD_BYTES:
        # Refused before Django reads (and spools to disk) a byte of the body.
        limit = settings.REIDSITE_MAX_UPLOAD_BYTES / 1024**3
        problem = f"The upload is over the {limit:.1f} GB limit; split the catalogue."
        return _page(request, project, CatalogueImportForm(), [problem], 413)
    form = CatalogueImportForm(request.POST or None, request.FILES or None)
    if request.method != "POST" or not form.is_valid():
        return _page(request, project, form, [], 400 if request.method == "POST" else 200)
    upload, split = form.cleaned_data["archive"], form.cleaned_data["split"]
    if upload.size > INLINE_MAX_BYTES:
        with transaction.atomic():
            batch = queue_import(project, request.user, upload, split)
        return redirect("catalogue_import_result", slug, batch.pk)
    try:
        result = import_catalogue(
            project, upload, user=request.user, split=split, original_name=upload.name
        )
    except CatalogueInvalid as exc:
        return _page(request, project, form, exc.problems, 400)
    messages.success(request, f"Catalogue imported: {result.summary()}")
    return redirect("catalogue_import_result", slug, result.batch.pk)


def _page(
    request: HttpRequest,
    project: Project,
    form: CatalogueImportForm,
    problems: list[str],
    status: int,
) -> HttpResponse:
    recent = project.batches.filter(kind=Batch.Kind.IMPORT).select_related("created_by")
    context = {"project": project, "form": form, "problems": problems, "recent": recent[:RECENT]}
    return render(request, "imports/catalogue.html", context, status=status)


@login_required
def catalogue_import_result(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    project = get_project_for_user(request, slug)
    batch = get_object_or_404(
        Batch.objects.select_related("created_by"), project=project, pk=pk, kind=Batch.Kind.IMPORT
    )
    problems = batch.message.splitlines() if batch.status == Batch.Status.FAILED else []
    context = {"project": project, "batch": batch, "problems": problems}
    if request.htmx:
        return render(request, "imports/_catalogue_result.html", context)
    return render(request, "imports/catalogue_result.html", context)


def _content_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0
