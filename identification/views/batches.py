from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from ..forms.batches import DetectionFileForm, UploadForm
from ..models import Batch, BatchItem, Role, Sighting
from ..models.batches import reason_label
from ..services import detection_import
from ..services.batches import accept_upload
from ..services.detections import backend_of, batch_detection_counts
from .access import AuthenticatedRequest, get_project_for_user


@login_required
def batch_create(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    project = get_project_for_user(request, slug, Role.RANGER)
    initial = {"deployment": request.GET.get("deployment")}
    if request.method == "POST" and _content_length(request) > settings.REIDSITE_MAX_UPLOAD_BYTES:
        # Refused before Django reads (and spools to disk) a single byte of the body.
        limit = settings.REIDSITE_MAX_UPLOAD_BYTES / 1024**3
        messages.error(request, f"The upload is over the {limit:.1f} GB limit; split it.")
        form = UploadForm(project=project, initial=initial)
        context = {"project": project, "form": form}
        return render(request, "identification/batch_create.html", context, status=413)
    form = UploadForm(request.POST or None, request.FILES or None, project=project, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        batches = accept_upload(
            project, data["deployment"], request.user, data["files"], data["note"]
        )
        if data["detections"]:
            raw, name = data["detections"]
            for batch in batches:
                detection_import.attach(batch, raw, name)
        if len(batches) == 1:
            return redirect(batches[0])
        messages.success(request, f"{len(batches)} batches queued (each zip is its own batch).")
        return redirect("batch_list", slug)
    return render(request, "identification/batch_create.html", {"project": project, "form": form})


def _content_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


@login_required
def batch_list(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    project = get_project_for_user(request, slug)
    S = BatchItem.Status
    batches = (
        project.batches.select_related("deployment", "created_by")
        .annotate(
            n_total=Count("items"),
            n_accepted=Count("items", filter=Q(items__status=S.ACCEPTED)),
            n_duplicate=Count("items", filter=Q(items__status=S.DUPLICATE)),
            n_skipped=Count("items", filter=Q(items__status=S.SKIPPED)),
            n_unmatched=Subquery(_unmatched_count(), output_field=IntegerField()),
        )
        .order_by("-created_at", "-pk")
    )  # Meta.ordering is not applied to aggregated queries
    page = Paginator(batches, 50).get_page(request.GET.get("page"))
    context = {"project": project, "page": page, "reid": settings.REIDSITE_ENABLE_REID}
    return render(request, "identification/batch_list.html", context)


@login_required
def batch_detail(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    project = get_project_for_user(request, slug)
    batch = get_object_or_404(
        Batch.objects.select_related("deployment", "created_by"), project=project, pk=pk
    )
    context = {
        "project": project,
        "batch": batch,
        **progress(batch),
        "detection_form": DetectionFileForm(),
    }
    if request.htmx:
        return render(request, "identification/_batch_progress.html", context)
    status = request.GET.get("status", "problems")
    items = batch.items.select_related("media").order_by("seq")
    if status == "problems":
        items = items.exclude(status=BatchItem.Status.ACCEPTED, flags=[])
    elif status == "blank":
        items = items.filter(media__batch=batch, media__is_blank=True)
    elif status in BatchItem.Status.values:
        items = items.filter(status=status)
    context.update(
        items=Paginator(items, 200).get_page(request.GET.get("page")),
        status_filter=status,
        statuses=BatchItem.Status.choices,
    )
    return render(request, "identification/batch_detail.html", context)


@login_required
@require_POST
def batch_detections(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    """MegaDetector output onto an uploaded batch: its boxes replace the detector's."""
    project = get_project_for_user(request, slug, Role.RANGER)
    batch = get_object_or_404(Batch, project=project, pk=pk)
    form = DetectionFileForm(request.POST, request.FILES)
    if not form.is_valid():
        for error in form.errors.get("detections", []):
            messages.error(request, str(error))  # ErrorList yields the messages as str
        return redirect(batch)
    raw, name = form.cleaned_data["detections"]
    report = detection_import.attach(batch, raw, name)
    if report is None:
        messages.success(request, f"{name} will be applied once the images are stored.")
    else:
        messages.success(
            request,
            f"{name}: {report.matched} image(s) matched, {report.sightings} animal sighting(s), "
            f"{report.blank} blank; {report.unmatched_count} entr(ies) matched no image.",
        )
    return redirect(batch)


def _unmatched_count() -> QuerySet[Any, Any]:
    """Per batch (OuterRef): its pending sightings the pipeline has not matched yet."""
    S = Sighting.PipelineStatus
    return (
        Sighting.objects.filter(media__batch=OuterRef("pk"), status=Sighting.Status.PENDING)
        .exclude(pipeline_status__in=[S.MATCHED, S.FAILED])
        .order_by()
        .values("media__batch")
        .annotate(n=Count("pk"))
        .values("n")
    )


def progress(batch: Batch) -> dict:
    """Counts, percentage and an estimate of the time left, for the progress bar."""
    counts = batch.counts()
    total, done = counts["total"], counts["done"]
    percent = round(100 * done / total) if total else (100 if batch.is_finished else 0)
    eta = None
    if batch.started_at and 0 < done < total and not batch.is_finished:
        elapsed = (timezone.now() - batch.started_at).total_seconds()
        eta = round(elapsed / done * (total - done))
    reason_counts = (
        batch.items.exclude(reason="")
        .values_list("reason")
        .annotate(n=Count("pk"))
        .order_by("reason")
    )
    S = Sighting.PipelineStatus
    sightings = Sighting.objects.filter(media__batch=batch)
    # A catalogue import's sightings are confirmed gallery images: they get features, they
    # are never matched, so their pipeline is done once extracted.
    gallery = batch.kind == Batch.Kind.IMPORT
    reid = {
        "gallery": gallery,
        "sightings": sightings.count(),
        "matched": sightings.filter(
            pipeline_status__in=[S.EXTRACTED, S.MATCHED] if gallery else [S.MATCHED]
        ).count(),
        "failed": sightings.filter(pipeline_status=S.FAILED).count(),
        "reviewed": sightings.exclude(status=Sighting.Status.PENDING).count(),
    }
    detection = batch_detection_counts(batch)
    unmatched = reid["matched"] + reid["failed"] < reid["sightings"] or detection["waiting"]
    waiting_for_file = (
        detection["waiting"] and backend_of(batch.project) == "import" and not batch.detections_file
    )
    # Stored images are not the end of it: a batch is done when its sightings are matched.
    stage = batch.get_status_display()
    if batch.status == Batch.Status.DONE and settings.REIDSITE_ENABLE_REID and unmatched:
        stage = "Matching" if not gallery else "Adding to the gallery"
    return {
        "stage": stage,
        "counts": counts,
        "detection": detection,
        "waiting_for_file": waiting_for_file,
        "percent": percent,
        "eta_seconds": eta,
        "reason_counts": [(reason_label(reason), n) for reason, n in reason_counts],
        "reid": reid,
        # Keep polling while the workers still match this batch's sightings (also those of
        # an ingest the sweeper gave up: the images it stored are matched all the same).
        "polling": not batch.is_finished
        or (
            settings.REIDSITE_ENABLE_REID
            and batch.finished_at is not None
            and (
                reid["matched"] + reid["failed"] < reid["sightings"]
                or (detection["waiting"] and not waiting_for_file)
            )
        ),
        "max_retries": settings.REIDSITE_SWEEP_MAX_RETRIES,
    }
